/**
 * The host policy's `git.verify`: the commit at the deployed ref must be signed by a key the
 * policy lists, or nothing of it is read further (checked in the fetch, so every verb that
 * plans, validates or applies is covered). Who signed is returned to be recorded in the release.
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { BosunError, Codes } from '../../errors.ts';
import type { Signer, TrustedSigners } from '../../model/signer.ts';
import { objectHeader } from '../objects.ts';
import type { ObjectStore } from '../refs.ts';
import { checkPgp, PGP_ARMOR, pgpFingerprint } from './openpgp.ts';
import { parseSshSignature, SSH_ARMOR, sshFingerprint, sshSignatureValid } from './sshsig.ts';

/** A commit as it was signed: the bytes without the signature header, and the signature. */
export interface SignedCommit {
  revision: string;
  ref: string;
  payload: Buffer;
  gpgsig?: string;
  /** `Name <email>` of the committer, for messages */
  committer: string;
}

/** Commits are small; one bigger than this is not read for its signature (it would be read whole). */
const MAX_COMMIT_BYTES = 1024 * 1024;

export function verifying(trusted: TrustedSigners | undefined): trusted is TrustedSigners {
  return trusted !== undefined && trusted.openpgp.length + trusted.ssh.length > 0;
}

/** Reads the commit object raw from the store (isomorphic-git's payload knows only OpenPGP and re-normalises). */
export async function readSignedCommit(store: ObjectStore, revision: string, ref: string): Promise<SignedCommit> {
  const head = await objectHeader(store.gitdir, revision);
  if (head && head.size > MAX_COMMIT_BYTES)
    throw new BosunError(Codes.commitSignatureInvalid, `commit ${revision.slice(0, 12)} is too large to verify`);
  const { object } = await git.readObject({
    fs,
    gitdir: store.gitdir,
    oid: revision,
    format: 'content',
    cache: store.cache,
  });
  return { revision, ref, ...splitSignature(Buffer.from(object as Uint8Array)) };
}

/**
 * A raw commit → what git signed (the commit without its `gpgsig` header and that header's
 * continuation lines, byte for byte) and the signature. Pure.
 */
export function splitSignature(raw: Buffer): Pick<SignedCommit, 'payload' | 'gpgsig' | 'committer'> {
  const end = raw.indexOf('\n\n');
  const headerEnd = end < 0 ? raw.length : end + 1;
  const lines = raw.subarray(0, headerEnd).toString('latin1').split('\n');
  const kept: string[] = [];
  const sig: string[] = [];
  let inSig = false;
  let committer = 'unknown';
  for (const line of lines) {
    if (inSig && line.startsWith(' ')) {
      sig.push(line.slice(1));
      continue;
    }
    inSig = line.startsWith('gpgsig ');
    if (inSig) sig.push(line.slice('gpgsig '.length));
    else kept.push(line);
    if (line.startsWith('committer '))
      committer = Buffer.from(line, 'latin1').toString('utf8').slice(10).replace(/>.*$/, '>');
  }
  const payload = Buffer.concat([Buffer.from(kept.join('\n'), 'latin1'), raw.subarray(headerEnd)]);
  return { payload, committer, ...(sig.length > 0 && { gpgsig: sig.join('\n') }) };
}

/** The signer of `c` if a trusted key signed it; else E_COMMIT_UNSIGNED / _UNTRUSTED / _SIGNATURE_INVALID. */
export async function verifyCommit(c: SignedCommit, trusted: TrustedSigners): Promise<Signer> {
  const at = `commit ${c.revision.slice(0, 12)} at ${c.ref}`;
  const data = { revision: c.revision, ref: c.ref, committer: c.committer };
  if (!c.gpgsig) {
    const wanted = await trustedFingerprints(trusted);
    throw new BosunError(
      Codes.commitUnsigned,
      `${at} is not signed; the host policy requires a signature by one of: ${wanted.join(', ')}`,
      { data },
    );
  }
  const untrusted = (who: string) =>
    new BosunError(
      Codes.commitUntrusted,
      `${at} is signed by ${who}, which the host policy does not trust (committer ${c.committer})`,
      { data: { ...data, signer: who } },
    );
  const invalid = (why: string) =>
    new BosunError(Codes.commitSignatureInvalid, `${at} has an invalid signature: ${why}`, { data });
  if (c.gpgsig.includes(SSH_ARMOR)) return verifySsh(c, trusted, untrusted, invalid);
  if (c.gpgsig.includes(PGP_ARMOR)) return verifyPgp(c, trusted, untrusted, invalid);
  throw invalid('the signature is neither OpenPGP nor SSH (X.509 signatures are not supported)');
}

type Fail = (s: string) => BosunError;

function verifySsh(c: SignedCommit, trusted: TrustedSigners, untrusted: Fail, invalid: Fail): Signer {
  let sig: ReturnType<typeof parseSshSignature>;
  try {
    sig = parseSshSignature(c.gpgsig!);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  const fingerprint = sshFingerprint(sig.publicKey);
  const key = trusted.ssh.find((k) => Buffer.from(k.blob, 'base64').equals(sig.publicKey));
  if (!key) throw untrusted(`SSH key ${fingerprint}`);
  if (sig.namespace !== 'git') throw invalid(`signed in namespace "${sig.namespace}", not "git"`);
  let ok = false;
  try {
    ok = sshSignatureValid(sig, c.payload);
  } catch (err) {
    throw invalid((err as Error).message);
  }
  if (!ok) throw invalid(`SSH key ${fingerprint} did not sign this commit's content`);
  return { type: 'ssh', fingerprint, ...(key.identity && { identity: key.identity }) };
}

async function verifyPgp(c: SignedCommit, trusted: TrustedSigners, untrusted: Fail, invalid: Fail): Promise<Signer> {
  let out: Awaited<ReturnType<typeof checkPgp>>;
  try {
    out = await checkPgp(
      c.gpgsig!,
      c.payload,
      trusted.openpgp.map((k) => k.armored),
    );
  } catch (err) {
    throw invalid((err as Error).message.split('\n')[0]!);
  }
  if (!out.fingerprint) throw untrusted(`OpenPGP key ${out.keyId}`);
  if (out.invalid) throw invalid(`OpenPGP key ${out.fingerprint} did not sign this commit's content`);
  return { type: 'openpgp', fingerprint: out.fingerprint, ...(out.identity && { identity: out.identity }) };
}

async function trustedFingerprints(trusted: TrustedSigners): Promise<string[]> {
  const pgp = await Promise.all(
    trusted.openpgp.map((k) =>
      pgpFingerprint(k.armored).then(
        (f) => `OpenPGP ${f}`,
        () => `OpenPGP key in ${k.file}`,
      ),
    ),
  );
  return [...pgp, ...trusted.ssh.map((k) => `SSH ${k.fingerprint}${k.identity ? ` (${k.identity})` : ''}`)];
}

/** The trusted keys as `policy check` shows them: file and fingerprint. */
export async function describeTrusted(trusted: TrustedSigners): Promise<object> {
  const openpgp = await Promise.all(
    trusted.openpgp.map(async (k) => ({ file: k.file, fingerprint: await pgpFingerprint(k.armored).catch(() => '?') })),
  );
  const ssh = trusted.ssh.map((k) => ({
    file: k.file,
    fingerprint: k.fingerprint,
    ...(k.identity && { identity: k.identity }),
  }));
  return { openpgp, ssh };
}
