/**
 * The controller's state key: 32 random bytes in a file only its owner can read, the same on
 * every controller of a cluster. Everything bosun keeps in the state store that it later acts
 * on is authenticated with a key derived from it, secrets in those records are encrypted with
 * another, and digests of secret values are keyed with a third, so a reader or writer of etcd
 * who lacks the file can neither forge a record nor learn (or guess) a secret.
 */
import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { BosunError, Codes } from '../errors.ts';

export const STATE_KEY_BYTES = 32;

export interface StateKey {
  /** HMAC-SHA256 key for records (releases, pins, owned keys) */
  readonly mac: Buffer;
  /** AES-256-GCM key for secret values inside records and saved plans */
  readonly encrypt: Buffer;
  /** HMAC-SHA256 key for digests of secret values (labels, spec hashes) */
  readonly digest: Buffer;
  /** a public name for the key (16 hex): tells two key files apart without revealing either */
  readonly id: string;
}

/** Subkeys by purpose (HKDF-SHA256), so no key is ever used for two things. */
export function deriveStateKey(master: Buffer): StateKey {
  if (master.length !== STATE_KEY_BYTES) throw malformed('(in memory)', master.length);
  const sub = (info: string) => Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `bosun/v1 ${info}`, 32));
  const id = createHash('sha256').update(sub('key id')).digest('hex').slice(0, 16);
  return { mac: sub('record mac'), encrypt: sub('secret encryption'), digest: sub('secret digest'), id };
}

/**
 * Beside the embedded store (`.bosun/state` → `.bosun/state.key`), so a host's state and the key
 * that seals it sit together; with etcd, `.bosun/state.key` in the working directory, as the
 * embedded store's default would be: each controller of the cluster needs a copy of the same file.
 */
export function defaultStateKeyFile(embeddedStore: string | undefined): string {
  if (embeddedStore === undefined) return path.join('.bosun', 'state.key');
  return path.join(path.dirname(embeddedStore), `${path.basename(embeddedStore)}.key`);
}

export interface LoadedKey {
  key: StateKey;
  file: string;
  /** the file did not exist and was written just now */
  created: boolean;
}

/**
 * Reads the key file, or creates it (0600, in a 0700 folder) when it does not exist. A file that
 * others than its owner can read, or that does not hold exactly 32 bytes, is refused: a key
 * someone else may have read authenticates nothing.
 */
export function loadOrCreateStateKey(file: string): LoadedKey {
  const abs = path.resolve(file);
  const existing = readKeyFile(abs);
  if (existing) return { key: deriveStateKey(existing), file: abs, created: false };
  const master = randomBytes(STATE_KEY_BYTES);
  try {
    fs.mkdirSync(path.dirname(abs), { recursive: true, mode: 0o700 });
    // wx: two controllers starting at once must not each write a different key
    fs.writeFileSync(abs, master, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return loadOrCreateStateKey(abs);
    throw new BosunError(Codes.stateKey, `cannot create state key file ${abs}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return { key: deriveStateKey(master), file: abs, created: true };
}

function readKeyFile(file: string): Buffer | undefined {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BosunError(Codes.stateKey, `cannot read state key file ${file}: ${(err as Error).message}`);
  }
  if (!stat.isFile()) throw new BosunError(Codes.stateKey, `state key file ${file} is not a regular file`);
  if ((stat.mode & 0o077) !== 0) {
    const mode = (stat.mode & 0o777).toString(8).padStart(4, '0');
    throw new BosunError(
      Codes.stateKey,
      `state key file ${file} is readable by others (mode ${mode}): run chmod 600 ${file}, and make a new key if others may have read it`,
    );
  }
  const bytes = fs.readFileSync(file);
  if (bytes.length !== STATE_KEY_BYTES) throw malformed(file, bytes.length);
  return bytes;
}

function malformed(file: string, length: number): BosunError {
  return new BosunError(
    Codes.stateKey,
    `state key file ${file} holds ${length} bytes, not ${STATE_KEY_BYTES}: it is not a bosun state key`,
  );
}
