/**
 * Real signing keys for the signed-commit tests: an OpenPGP key made by gpg in its own
 * GNUPGHOME (no passphrase) and an ed25519 key by ssh-keygen, and git commits signed with them.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { git } from './git-server.ts';

const execFileP = promisify(execFile);

export interface PgpKey {
  home: string;
  fingerprint: string;
  /** the armored public key, written to `file` */
  file: string;
  email: string;
}

export interface SshKey {
  /** the private key file; its public key is `${key}.pub` */
  key: string;
  pub: string;
}

/** Fails loudly when the tool is missing: test/setup-services.sh installs it. */
async function tool(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  try {
    return (await execFileP(cmd, args, { env })).stdout;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error(`${cmd} is not installed: run test/setup-services.sh (it installs gnupg and openssh-client)`);
    throw err;
  }
}

export async function makePgpKey(dir: string, email: string): Promise<PgpKey> {
  const home = await mkdtemp(join(tmpdir(), 'sig-gpg-'));
  const env = { ...process.env, GNUPGHOME: home };
  const q = ['--batch', '--passphrase', '', '--pinentry-mode', 'loopback'];
  await tool('gpg', [...q, '--quick-gen-key', `bosun test <${email}>`, 'ed25519', 'sign', 'never'], env);
  const listing = await tool('gpg', ['--batch', '--with-colons', '--list-keys', email], env);
  const fingerprint = /^fpr:+([0-9A-F]{40}):/m.exec(listing)![1]!;
  const file = join(dir, `${email}.asc`);
  await writeFile(file, await tool('gpg', ['--batch', '--armor', '--export', fingerprint], env));
  return { home, fingerprint, file, email };
}

export async function makeSshKey(dir: string, name: string): Promise<SshKey> {
  const key = join(dir, name);
  await tool('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `${name}@bosun.test`, '-f', key]);
  return { key, pub: `${key}.pub` };
}

/** The ssh-keygen fingerprint (`SHA256:...`) of a public key file. */
export async function sshFingerprintOf(pub: string): Promise<string> {
  return (await tool('ssh-keygen', ['-l', '-E', 'sha256', '-f', pub])).split(' ')[1]!;
}

/** `git commit -S` with the key, in `workdir`: every file added, then pushed to main when asked. */
export async function signedCommit(
  workdir: string,
  files: Record<string, string>,
  by: PgpKey | SshKey | undefined,
  push = true,
): Promise<string> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(workdir, name), text);
  await git(workdir, 'add', '-A');
  const how =
    by === undefined
      ? []
      : 'fingerprint' in by
        ? ['-c', 'gpg.program=gpg', '-c', `user.signingkey=${by.fingerprint}`]
        : ['-c', 'gpg.format=ssh', '-c', `user.signingkey=${by.pub}`];
  const env = by && 'home' in by ? { GNUPGHOME: by.home } : {};
  await gitWith(env, workdir, ...how, 'commit', '--quiet', '--allow-empty', ...(by ? ['-S'] : []), '-m', 'change');
  if (push) await git(workdir, 'push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
  return git(workdir, 'rev-parse', 'HEAD');
}

async function gitWith(extra: NodeJS.ProcessEnv, cwd: string, ...args: string[]): Promise<void> {
  const env = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', ...extra };
  const author = ['-c', 'user.name=bosun-test', '-c', 'user.email=test@bosun.invalid'];
  await execFileP('git', [...author, ...args], { cwd, env });
}
