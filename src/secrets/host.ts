/**
 * The controller host's side of secrets: its age identity file and its secrets dir, opened
 * once at start, and the BOSUN_SECRET_* variables of its environment. The repo is untrusted
 * input, so it may name only variables with that prefix and only files inside the dir — a
 * symlink pointing out of it is refused like `..` is.
 */
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { BosunError, Codes } from '../errors.ts';
import { type AgeKeys, NO_AGE_KEYS } from './armor.ts';
import type { SecretSources } from './resolve.ts';

export const SECRET_ENV_PREFIX = 'BOSUN_SECRET_';
/** The same limit as a manifest's: a Config value is read whole into memory and into etcd. */
const MAX_SECRET_FILE_BYTES = 1024 * 1024;

export interface HostSecretOptions {
  /** --age-identity: an identity file as age-keygen writes it */
  identityFile?: string;
  /** --secrets-dir */
  secretsDir?: string;
  env: NodeJS.ProcessEnv;
}

/** Refused at once (E_SECRET_SOURCE) when the identity file or the dir cannot be used. */
export async function hostSecrets(o: HostSecretOptions): Promise<SecretSources> {
  const age = o.identityFile ? await readIdentityFile(o.identityFile) : NO_AGE_KEYS;
  const dir = o.secretsDir ? await openSecretsDir(o.secretsDir) : undefined;
  return {
    age,
    env: (name) => (name.startsWith(SECRET_ENV_PREFIX) ? o.env[name] : undefined),
    readFile: dir
      ? (rel) => readInside(dir, rel)
      : () => Promise.reject(new Error('no secrets directory given (--secrets-dir or BOSUN_SECRETS_DIR)')),
  };
}

export async function readIdentityFile(file: string): Promise<AgeKeys> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    throw sourceError(`cannot read the age identity file ${file}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  const { parseIdentities } = await import('./age.ts');
  try {
    return await parseIdentities(text);
  } catch (err) {
    throw sourceError(`age identity file ${file}: ${(err as Error).message}`);
  }
}

/** The dir's real path, so containment is judged after every symlink is followed. */
async function openSecretsDir(dir: string): Promise<string> {
  try {
    const real = await fs.realpath(dir);
    if (!(await fs.stat(real)).isDirectory()) throw new Error('not a directory');
    return real;
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw sourceError(`cannot use the secrets dir ${dir}: ${why}`);
  }
}

/** Reasons are short and never hold the file's contents: they end up in manifest issues. */
async function readInside(dir: string, rel: string): Promise<string> {
  const wanted = path.resolve(dir, rel);
  if (!isInside(dir, wanted)) throw new Error('outside the secrets dir');
  let real: string;
  try {
    real = await fs.realpath(wanted);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? 'no such file in the secrets dir' : String(code ?? err));
  }
  if (!isInside(dir, real)) throw new Error('it leads outside the secrets dir (symlink)');
  // O_NOFOLLOW: the real path has no symlink left; one swapped in since is refused, not followed
  const handle = await fs.open(real, constants.O_RDONLY | constants.O_NOFOLLOW).catch((err) => {
    throw new Error(String((err as NodeJS.ErrnoException).code ?? err));
  });
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error('not a regular file');
    if (stat.size > MAX_SECRET_FILE_BYTES) throw new Error(`too large (${stat.size} bytes, the limit is 1 MiB)`);
    const bytes = await handle.readFile();
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new Error('not UTF-8 text');
    }
  } finally {
    await handle.close();
  }
}

function isInside(dir: string, file: string): boolean {
  const rel = path.relative(dir, file);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
}

function sourceError(message: string): BosunError {
  return new BosunError(Codes.secretSource, message);
}
