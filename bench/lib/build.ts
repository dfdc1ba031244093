/**
 * The compiled build, as users run it (`npm ci` builds dist/, bin/bosun.js runs it when current),
 * made in a private copy of the tree: the working tree's own dist/ is left alone, and an edit
 * made while a bench runs cannot turn the build stale (bin/bosun.js would quietly fall back to
 * compiling the sources on the fly, ~30 MB heavier).
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const COPIED = ['src', 'schemas', 'bin', 'assets', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

export interface Build {
  /** bin/bosun.js of the copy: run it with `node` */
  bin: string;
  remove(): Promise<void>;
}

export async function compiledBuild(): Promise<Build> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-build-'));
  try {
    for (const entry of COPIED) await cp(join(ROOT, entry), join(dir, entry), { recursive: true });
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    await run(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.build.json')],
      { cwd: dir },
    );
    // the ajv validators generated as `npm run build` does: without them every start compiles the schemas
    await run(process.execPath, [join(dir, 'dist/validators/generate.js'), join(dir, 'dist/generated')], { cwd: dir });
    // written last, so it is newer than every copied source: bin/bosun.js then runs dist/
    await writeFile(join(dir, 'dist', '.stamp'), '');
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return { bin: join(dir, 'bin', 'bosun.js'), remove: () => rm(dir, { recursive: true, force: true }) };
}
