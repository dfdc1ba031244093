/**
 * The policy's `git.verify` key files, read when the policy is loaded: a key file that is
 * missing or holds no key is a policy error at its entry, not a surprise at the first fetch.
 */
import { readFileSync } from 'node:fs';
import type { ManifestIssue } from '../errors.ts';
import type { TrustedSigners } from '../model/signer.ts';
import { parseSshKeys } from '../source/signature/sshsig.ts';

export interface VerifyPaths {
  openpgp?: string[];
  ssh?: string[];
}

const PGP_KEY = /-----BEGIN PGP PUBLIC KEY BLOCK-----[\s\S]*?-----END PGP PUBLIC KEY BLOCK-----/g;

/** The keys in the listed files; problems are pushed to `issues`, located by `where(kind, index)`. */
export function readSigningKeys(
  paths: VerifyPaths,
  where: (kind: 'openpgp' | 'ssh', index: number) => Omit<ManifestIssue, 'message'>,
  issues: ManifestIssue[],
): TrustedSigners {
  const trusted: TrustedSigners = { openpgp: [], ssh: [] };
  const each = (kind: 'openpgp' | 'ssh', read: (file: string, text: string) => void) =>
    (paths[kind] ?? []).forEach((file, i) => {
      try {
        read(file, readFileSync(file, 'utf8'));
      } catch (err) {
        const why = (err as NodeJS.ErrnoException).code
          ? `cannot be read (${(err as NodeJS.ErrnoException).code})`
          : (err as Error).message;
        issues.push({ ...where(kind, i), message: `key file ${file} ${why}` });
      }
    });
  each('openpgp', (file, text) => {
    const blocks = text.match(PGP_KEY);
    if (!blocks) throw new Error('holds no armored OpenPGP public key (gpg --armor --export)');
    for (const armored of blocks) trusted.openpgp.push({ file, armored });
  });
  each('ssh', (file, text) => {
    for (const key of parseSshKeys(text)) trusted.ssh.push({ file, ...key });
  });
  return trusted;
}
