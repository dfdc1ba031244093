/**
 * The step between loading and planning: every sealed Config value (see model/desired.ts) is
 * opened with what only the controller holds — its age identities, its BOSUN_SECRET_*
 * variables, its secrets dir — handed in as SecretSources. A value that cannot be opened is a
 * located issue like any other manifest problem; all of them are reported at once, and
 * nothing is planned (or applied) while one stands.
 */
import { ManifestError, type ManifestIssue } from '../errors.ts';
import type { ConfigSpec, DesiredState, SealedValue } from '../model/desired.ts';
import { compareStrings, sortedRecord } from '../model/sort.ts';
import { type AgeKeys, NO_AGE_KEYS } from './armor.ts';

export interface SecretSources {
  age: AgeKeys;
  /** a variable of the controller's environment (only BOSUN_SECRET_* names reach here) */
  env(name: string): string | undefined;
  /** a file under the controller's secrets dir; rejects with the reason it cannot be read */
  readFile(rel: string): Promise<string>;
}

/** A process given neither identity nor secrets dir: every sealed value is an issue saying so. */
export const NO_SECRET_SOURCES: SecretSources = {
  age: NO_AGE_KEYS,
  env: () => undefined,
  readFile: () => Promise.reject(new Error('no secrets directory given (--secrets-dir or BOSUN_SECRETS_DIR)')),
};

/** `desired` with every sealed value in its Config's data; the same object when nothing is sealed. */
export async function resolveSecrets(desired: DesiredState, sources: SecretSources): Promise<DesiredState> {
  if (!desired.configs.some((c) => c.sealed)) return desired;
  const issues: ManifestIssue[] = [];
  const configs = await Promise.all(desired.configs.map((c) => resolveConfig(c, sources, issues)));
  if (issues.length > 0) throw new ManifestError(issues.sort(byPlace));
  return { ...desired, configs };
}

async function resolveConfig(config: ConfigSpec, sources: SecretSources, issues: ManifestIssue[]): Promise<ConfigSpec> {
  const { sealed, ...open } = config;
  if (!sealed) return config;
  const opened = await Promise.all(
    Object.entries(sealed).map(async ([key, value]) => {
      try {
        return [key, await openValue(value, sources)] as const;
      } catch (err) {
        issues.push({ ...value.at, message: (err as Error).message });
        return [key, ''] as const;
      }
    }),
  );
  return { ...open, data: sortedRecord({ ...config.data, ...Object.fromEntries(opened) }), secret: true };
}

async function openValue(value: SealedValue, sources: SecretSources): Promise<string> {
  const from = value.from;
  if ('age' in from) {
    try {
      return await decryptCached(from.age, sources.age);
    } catch (err) {
      throw new Error(`cannot decrypt age value: ${(err as Error).message}`);
    }
  }
  if ('env' in from) {
    const text = sources.env(from.env);
    if (text === undefined) throw new Error(`environment variable ${from.env} is not set on the controller`);
    return text;
  }
  try {
    return await sources.readFile(from.file);
  } catch (err) {
    throw new Error(`cannot read secret file "${from.file}": ${(err as Error).message}`);
  }
}

/**
 * A decryption costs ~5 ms and a pass opens every value up to three times (validate, plan,
 * plan under the lock): the same ciphertext under the same keys always gives the same text
 * (age authenticates it), so successes are remembered per key set, within bounds.
 */
const decrypted = new WeakMap<AgeKeys, Map<string, string>>();
const MAX_REMEMBERED = 1000;

async function decryptCached(base64: string, keys: AgeKeys): Promise<string> {
  let known = decrypted.get(keys);
  const hit = known?.get(base64);
  if (hit !== undefined) return hit;
  // age-encryption loads on the first sealed value, not with every command that may meet one
  const { decryptText } = await import('./age.ts');
  const text = await decryptText(Buffer.from(base64, 'base64'), keys);
  if (!known) decrypted.set(keys, (known = new Map()));
  if (known.size >= MAX_REMEMBERED) known.delete(known.keys().next().value!);
  known.set(base64, text);
  return text;
}

function byPlace(a: ManifestIssue, b: ManifestIssue): number {
  return compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col || compareStrings(a.path, b.path);
}
