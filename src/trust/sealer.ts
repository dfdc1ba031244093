/**
 * Records bosun acts on, sealed: an HMAC-SHA256 over the canonical JSON of { storage key,
 * record }, so a record can be neither changed nor moved to another key (release 3's record
 * replayed as release 9, one project's pin as another's). Secret values inside records are
 * AES-256-GCM ciphertexts bound to where they sit. Both use subkeys of the state key.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { BosunError, Codes } from '../errors.ts';
import { canonicalJson } from '../model/hash.ts';
import type { KvEntry } from '../model/observed.ts';
import type { StateKey } from './state-key.ts';

const FORMAT = 'bosun-sealed/v1';
const CIPHER_PREFIX = 'bosun-enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;

interface Envelope {
  format: typeof FORMAT;
  /** the state key's public id: says "another key" rather than just "forged" */
  keyId: string;
  mac: string;
  record: unknown;
}

/** Why a record was not trusted, for logs and metrics. */
export interface Rejection {
  key: string;
  error: BosunError;
}

export class RecordSealer {
  private readonly listeners: ((r: Rejection) => void)[] = [];

  constructor(readonly key: StateKey) {}

  /** Told of every record refused (serve counts them and logs each). */
  onRejected(listener: (r: Rejection) => void): void {
    this.listeners.push(listener);
  }

  seal(storageKey: string, record: unknown): string {
    const envelope: Envelope = { format: FORMAT, keyId: this.key.id, mac: this.mac(storageKey, record), record };
    return JSON.stringify(envelope);
  }

  /** The record stored at `entry.key`, or E_RECORD_TAMPERED (reported to the listeners). */
  open<T>(entry: KvEntry, what: string): T {
    const envelope = parseEnvelope(entry.value);
    if (!envelope)
      throw this.reject(
        entry.key,
        `${what} at ${entry.key} is not sealed (written by someone else, or before records were signed)`,
      );
    const expected = Buffer.from(this.mac(entry.key, envelope.record), 'hex');
    const given = Buffer.from(envelope.mac, 'hex');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      const other =
        envelope.keyId !== this.key.id
          ? ` (sealed with state key ${String(envelope.keyId)}, this controller holds ${this.key.id})`
          : '';
      throw this.reject(entry.key, `${what} at ${entry.key} fails its authentication check${other}`);
    }
    return envelope.record as T;
  }

  /** Reports a record refused for what it holds rather than how it was sealed (E_RECORD_INVALID). */
  refuse(key: string, error: BosunError): BosunError {
    for (const l of this.listeners) l({ key, error });
    return error;
  }

  /** AES-256-GCM; `context` (where the value sits) is authenticated too, so a ciphertext cannot be moved. */
  encrypt(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key.encrypt, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return CIPHER_PREFIX + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64');
  }

  /** The plain text, or E_RECORD_TAMPERED (reported) when it was not encrypted here, for this place, with this key. */
  decrypt(sealed: string, context: string): string {
    const plain = this.tryDecrypt(sealed, context);
    if (plain === undefined)
      throw this.reject(context, `a secret value in ${context} cannot be decrypted with this state key`);
    return plain;
  }

  /** The plain text, or undefined (nothing reported): for callers that explain the failure themselves. */
  tryDecrypt(sealed: string, context: string): string | undefined {
    const bytes = sealed.startsWith(CIPHER_PREFIX) ? Buffer.from(sealed.slice(CIPHER_PREFIX.length), 'base64') : null;
    if (!bytes || bytes.length < IV_BYTES + TAG_BYTES) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key.encrypt, bytes.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }

  private mac(storageKey: string, record: unknown): string {
    return createHmac('sha256', this.key.mac)
      .update(canonicalJson({ key: storageKey, record }), 'utf8')
      .digest('hex');
  }

  private reject(key: string, message: string): BosunError {
    return this.refuse(key, new BosunError(Codes.recordTampered, `${message}: not acted on`, { data: { key } }));
  }
}

function parseEnvelope(text: string): Envelope | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const e = parsed as Partial<Envelope> | null;
  if (e?.format !== FORMAT || typeof e.mac !== 'string' || !('record' in e)) return undefined;
  return e as Envelope;
}

/** A record refused by its checks (as opposed to the store failing). */
export function isUntrusted(err: unknown): boolean {
  return err instanceof BosunError && (err.code === Codes.recordTampered || err.code === Codes.recordInvalid);
}

/**
 * `p`, or undefined when it failed on a record that did not pass its checks: for the reads that
 * only inform an apply from git (what to return to on failure, whether a release was left
 * applying), where an untrusted record must not stop git from being converged to.
 */
export async function unlessUntrusted<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (err) {
    if (isUntrusted(err)) return undefined;
    throw err;
  }
}
