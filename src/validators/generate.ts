/**
 * `node dist/validators/generate.js <dir>` (npm run build) or `writeGenerated(dir)` (the test
 * suite, for src/generated/): every schema set as standalone ajv code, one CommonJS module per
 * set. Generated, never committed: schemas change on branches at the same time, and a set whose
 * file is older than its definition is compiled at run time instead (index.ts).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setHash, standaloneSource } from './compile.ts';
import { SETS, type SetName } from './sets.ts';

/** Writes the sets whose file is missing or stale; returns the names written. */
export function writeGenerated(dir: string): SetName[] {
  mkdirSync(dir, { recursive: true });
  const written: SetName[] = [];
  for (const name of Object.keys(SETS) as SetName[]) {
    const file = path.join(dir, `${name}.cjs`);
    if (currentHash(file) === setHash(SETS[name])) continue;
    // written aside and renamed: a test process reading it meanwhile sees the old or the new file
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, standaloneSource(SETS[name]));
    renameSync(temp, file);
    written.push(name);
  }
  return written;
}

function currentHash(file: string): string | undefined {
  try {
    return /^exports\.hash = "([0-9a-f]+)";$/m.exec(readFileSync(file, 'utf8'))?.[1];
  } catch {
    return undefined;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const dir = process.argv[2];
  if (!dir) throw new Error('usage: generate.js <output dir>');
  writeGenerated(dir);
}
