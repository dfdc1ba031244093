/**
 * The validators of a schema set, loaded on first use: the standalone code generated at build
 * time (dist/generated/, or src/generated/ when running the sources; see generate.ts) when its
 * hash matches the set's definition, else compiled here with ajv (slower to start, the same
 * validation and messages). A stale or missing generated file therefore never changes behaviour.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';
import { compileSet, setHash } from './compile.ts';
import { SETS, type SetName } from './sets.ts';

const require = createRequire(import.meta.url);
const loaded = new Map<SetName, { validators: Record<string, ValidateFunction>; from: 'generated' | 'compiled' }>();

/** Where the generated module of a set lives, relative to this file (src/ or dist/ alike). */
export function generatedFile(name: SetName): string {
  return new URL(`../generated/${name}.cjs`, import.meta.url).pathname;
}

function generated(name: SetName): Record<string, ValidateFunction> | undefined {
  let mod: { hash?: string } & Record<string, ValidateFunction>;
  try {
    mod = require(generatedFile(name));
  } catch {
    return undefined; // not generated (sources never built): compiled below
  }
  return mod.hash === setHash(SETS[name]) ? mod : undefined;
}

function load(name: SetName) {
  let entry = loaded.get(name);
  if (!entry) {
    const fromFile = generated(name);
    entry = fromFile
      ? { validators: fromFile, from: 'generated' as const }
      : { validators: compileSet(SETS[name]), from: 'compiled' as const };
    loaded.set(name, entry);
  }
  return entry;
}

export function validatorsOf<N extends SetName>(name: N): Record<keyof (typeof SETS)[N]['schemas'], ValidateFunction> {
  return load(name).validators as Record<keyof (typeof SETS)[N]['schemas'], ValidateFunction>;
}

/** Whether a set runs generated code or was compiled at run time (for tests and the bench). */
export function validatorOrigin(name: SetName): 'generated' | 'compiled' {
  return load(name).from;
}
