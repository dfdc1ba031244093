/**
 * OpenPGP commit signatures (git's default `gpg.format`), checked with the openpgp library
 * against the armored public keys the host policy lists. git signs the commit's bytes exactly,
 * so the payload goes in as binary, never re-encoded text.
 */
import type { Key } from 'openpgp';

/**
 * openpgp is ~40 modules of crypto: loaded when a PGP signature or key is first read, not by
 * every verb that reads a repo (most policies list no PGP key; most commits are unsigned).
 */
const openpgp = () => import('openpgp');

export const PGP_ARMOR = '-----BEGIN PGP SIGNATURE-----';

export interface PgpOutcome {
  /** the issuer's key id (hex), as the signature names it */
  keyId: string;
  /** the trusted key that verified it (its fingerprint, upper-case hex), absent: none did */
  fingerprint?: string;
  identity?: string;
  /** a trusted key matched the issuer but the signature does not verify */
  invalid?: boolean;
}

/** Armored public key texts → keys (read once per text: policies are loaded per process). */
const parsed = new Map<string, Promise<Key>>();
export function pgpKey(armored: string): Promise<Key> {
  let key = parsed.get(armored);
  if (!key) {
    key = openpgp().then(({ readKey }) => readKey({ armoredKey: armored }));
    parsed.set(armored, key);
  }
  return key;
}

export async function pgpFingerprint(armored: string): Promise<string> {
  return (await pgpKey(armored)).getFingerprint().toUpperCase();
}

/** Checks `signature` over `payload` against the trusted keys: which key signed, and whether it holds. */
export async function checkPgp(signature: string, payload: Buffer, trusted: string[]): Promise<PgpOutcome> {
  const { createMessage, readSignature, verify } = await openpgp();
  const sig = await readSignature({ armoredSignature: signature });
  const keyId = sig.getSigningKeyIDs()[0]?.toHex().toUpperCase() ?? 'unknown';
  const keys = await Promise.all(trusted.map(pgpKey));
  const signer = keys.find((k) => k.getKeys().some((sub) => sub.getKeyID().toHex().toUpperCase() === keyId));
  if (!signer) return { keyId };
  const fingerprint = signer.getFingerprint().toUpperCase();
  const identity = signer.getUserIDs()[0];
  const message = await createMessage({ binary: new Uint8Array(payload) });
  const result = await verify({ message, signature: sig, verificationKeys: [signer], format: 'binary' });
  const ok = await result.signatures[0]?.verified.then(
    () => true,
    () => false,
  );
  return { keyId, fingerprint, ...(identity && { identity }), ...(!ok && { invalid: true }) };
}
