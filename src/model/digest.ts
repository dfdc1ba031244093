/**
 * Digests of secret values. A plain SHA-256 of a short secret is the secret (a 4-digit PIN is
 * found by trying 10 000 hashes), so anything derived from a secret value — a file digest in
 * the `bosun.spec` label, a spec hash, a plan hash — is an HMAC with the controller's digest
 * key instead. The key is the process's (one state key file per controller), set once when the
 * key file is loaded; until then a random one stands in, so a process without a key file still
 * never publishes a guessable digest (its digests just do not match other processes').
 */
import { createHmac, randomBytes } from 'node:crypto';

let digestKey: Buffer = randomBytes(32);

/** Called once the state key file is loaded: every controller of a cluster then digests alike. Returns the previous key. */
export function useDigestKey(key: Buffer): Buffer {
  const previous = digestKey;
  digestKey = Buffer.from(key);
  return previous;
}

/** HMAC-SHA256 (hex) of `text` with the controller's digest key. */
export function keyedDigest(text: string): string {
  return createHmac('sha256', digestKey).update(text, 'utf8').digest('hex');
}
