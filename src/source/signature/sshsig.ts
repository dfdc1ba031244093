/**
 * SSH signatures as git writes them (`gpg.format=ssh`): the SSHSIG blob of OpenSSH's
 * PROTOCOL.sshsig, armored. Parsed and checked here with node:crypto, so verifying needs no
 * ssh-keygen on the controller. Keys are compared by their public key blob.
 */
import { createHash, createPublicKey, type KeyObject, verify } from 'node:crypto';

export interface SshSignature {
  /** the signer's public key blob (ssh wire format) */
  publicKey: Buffer;
  namespace: string;
  hashAlgorithm: string;
  /** the signature blob: string(algorithm) string(bytes) */
  signature: Buffer;
  reserved: Buffer;
}

export const SSH_ARMOR = '-----BEGIN SSH SIGNATURE-----';

/** Reads ssh wire-format strings (uint32 length + bytes) from a buffer, refusing overruns. */
class Reader {
  at = 0;
  constructor(private readonly buf: Buffer) {}
  bytes(n: number): Buffer {
    if (this.at + n > this.buf.length) throw new Error('truncated SSH signature');
    const out = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return out;
  }
  uint32(): number {
    return this.bytes(4).readUInt32BE(0);
  }
  string(): Buffer {
    return this.bytes(this.uint32());
  }
}

function sshString(b: Buffer | string): Buffer {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}

/** The armored text → its fields; throws an Error saying what is wrong. */
export function parseSshSignature(armored: string): SshSignature {
  const m = /-----BEGIN SSH SIGNATURE-----([\s\S]*?)-----END SSH SIGNATURE-----/.exec(armored);
  if (!m) throw new Error('not an armored SSH signature');
  const r = new Reader(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'));
  if (r.bytes(6).toString('latin1') !== 'SSHSIG') throw new Error('SSH signature without the SSHSIG magic');
  const version = r.uint32();
  if (version !== 1) throw new Error(`SSH signature version ${version} is not supported`);
  return {
    publicKey: r.string(),
    namespace: r.string().toString(),
    reserved: r.string(),
    hashAlgorithm: r.string().toString(),
    signature: r.string(),
  };
}

/** `SHA256:...` as ssh-keygen -l prints it. */
export function sshFingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a public key blob (`ssh-ed25519`, `ssh-rsa`, ...). */
export function sshKeyType(blob: Buffer): string {
  return new Reader(blob).string().toString();
}

/** A public key blob → a node KeyObject (ed25519, rsa, ecdsa nistp256/384/521). */
export function sshPublicKey(blob: Buffer): KeyObject {
  const r = new Reader(blob);
  const type = r.string().toString();
  if (type === 'ssh-ed25519') {
    const x = r.string().toString('base64url');
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  }
  if (type === 'ssh-rsa') {
    const e = r.string();
    const n = r.string();
    const unsigned = (b: Buffer) => (b[0] === 0 ? b.subarray(1) : b).toString('base64url');
    return createPublicKey({ key: { kty: 'RSA', e: unsigned(e), n: unsigned(n) }, format: 'jwk' });
  }
  const ec = /^ecdsa-sha2-nistp(256|384|521)$/.exec(type);
  if (ec) {
    r.string(); // curve name, repeated
    const point = r.string();
    const size = (point.length - 1) / 2;
    const jwk = {
      kty: 'EC',
      crv: `P-${ec[1]}`,
      x: point.subarray(1, 1 + size).toString('base64url'),
      y: point.subarray(1 + size).toString('base64url'),
    };
    return createPublicKey({ key: jwk, format: 'jwk' });
  }
  throw new Error(`SSH key type ${type} is not supported`);
}

const HASHES: Record<string, string> = { sha256: 'sha256', sha512: 'sha512' };

/** Whether `sig` is a valid signature of `payload` in namespace "git" by its own public key. */
export function sshSignatureValid(sig: SshSignature, payload: Buffer): boolean {
  const hash = HASHES[sig.hashAlgorithm];
  if (!hash || sig.namespace !== 'git') return false;
  const signed = Buffer.concat([
    Buffer.from('SSHSIG'),
    sshString(sig.namespace),
    sshString(sig.reserved),
    sshString(sig.hashAlgorithm),
    sshString(createHash(hash).update(payload).digest()),
  ]);
  const r = new Reader(sig.signature);
  const alg = r.string().toString();
  const raw = r.string();
  const key = sshPublicKey(sig.publicKey);
  if (alg === 'ssh-ed25519') return verify(null, signed, key, raw);
  if (alg === 'rsa-sha2-512' || alg === 'rsa-sha2-256') return verify(alg.slice(4).replace('-', ''), signed, key, raw);
  const ec = /^ecdsa-sha2-nistp(256|384|521)$/.exec(alg);
  if (ec) {
    // the signature is string(mpint r) string(mpint s); node takes it as DER
    const rs = new Reader(raw);
    const der = derSignature(rs.string(), rs.string());
    const digest = { '256': 'sha256', '384': 'sha384', '521': 'sha512' }[ec[1]!]!;
    return verify(digest, signed, key, der);
  }
  return false;
}

function derSignature(r: Buffer, s: Buffer): Buffer {
  const int = (b: Buffer) => {
    let v = b;
    while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
    if (v[0]! >= 0x80) v = Buffer.concat([Buffer.from([0]), v]);
    return Buffer.concat([Buffer.from([0x02, v.length]), v]);
  };
  const body = Buffer.concat([int(r), int(s)]);
  const len = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x81, body.length]);
  return Buffer.concat([Buffer.from([0x30]), len, body]);
}

export interface SshTrustedKey {
  /** the public key blob, base64 (as in a .pub line) */
  blob: string;
  fingerprint: string;
  /** the principal of an allowed_signers line, or the comment of a .pub line */
  identity?: string;
}

/**
 * A `.pub` file or a git allowed_signers file → its keys. Lines are `[principals [options]]
 * keytype base64 [comment]`; blank lines and `#` comments are skipped.
 */
export function parseSshKeys(text: string): SshTrustedKey[] {
  const keys: SshTrustedKey[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const words = line.split(/\s+/);
    const at = words.findIndex((w) => /^(ssh-|ecdsa-|sk-)/.test(w));
    const b64 = at < 0 ? undefined : words[at + 1];
    if (b64 === undefined || !/^[A-Za-z0-9+/]+=*$/.test(b64)) throw new Error(`not an SSH public key line: ${line}`);
    const blob = Buffer.from(b64, 'base64');
    if (sshKeyType(blob) !== words[at]) throw new Error(`the key does not match its type ${words[at]}`);
    sshPublicKey(blob);
    const identity = at > 0 ? words[0] : words.slice(at + 2).join(' ') || undefined;
    keys.push({ blob: b64, fingerprint: sshFingerprint(blob), ...(identity && { identity }) });
  }
  if (keys.length === 0) throw new Error('holds no SSH public key');
  return keys;
}
