import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { BosunError } from '../../src/errors.ts';
import type { TrustedSigners } from '../../src/model/signer.ts';
import { fetchArtifact } from '../../src/source/git.ts';
import { splitSignature } from '../../src/source/signature/verify.ts';
import { parseSshKeys, parseSshSignature, sshSignatureValid } from '../../src/source/signature/sshsig.ts';
import { git } from '../helpers/git-server.ts';
import {
  makePgpKey,
  makeSshKey,
  type PgpKey,
  type SshKey,
  signedCommit,
  sshFingerprintOf,
} from '../helpers/signing.ts';

const execFileP = promisify(execFile);

describe('commit signatures (real gpg and ssh-keygen keys, a local repo)', function () {
  this.timeout(60_000);
  let dir: string;
  let repo: string;
  let ssh: SshKey;
  let other: SshKey;
  let pgp: PgpKey;
  let stranger: PgpKey;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'sig-unit-'));
    repo = join(dir, 'repo');
    await git(dir, 'init', '--quiet', '--initial-branch=main', repo);
    [ssh, other, pgp, stranger] = await Promise.all([
      makeSshKey(dir, 'trusted'),
      makeSshKey(dir, 'other'),
      makePgpKey(dir, 'pgp@bosun.test'),
      makePgpKey(dir, 'stranger@bosun.test'),
    ]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await Promise.all([pgp, stranger].filter(Boolean).map((k) => rm(k.home, { recursive: true, force: true })));
  });

  const trusted = async (): Promise<TrustedSigners> => ({
    openpgp: [{ file: pgp.file, armored: await readFile(pgp.file, 'utf8') }],
    ssh: parseSshKeys(await readFile(ssh.pub, 'utf8')).map((k) => ({ file: ssh.pub, ...k })),
  });
  const fetch = async (verify?: TrustedSigners) => fetchArtifact({ repo, cacheDir: join(dir, 'cache'), verify });
  const refused = async (code: string, message: RegExp) => {
    const verify = await trusted();
    await assert.rejects(fetch(verify), (e: unknown) => {
      assert.ok(e instanceof BosunError);
      assert.equal(e.code, code);
      assert.match(e.message, message);
      return true;
    });
  };

  it('splitSignature: the gpgsig header and its continuation lines out, every other byte kept', () => {
    const raw = Buffer.from(
      'tree 1\nparent 2\nauthor A <a@x> 1 +0000\ncommitter Zoë <z@x> 1 +0000\ngpgsig -----BEGIN SSH SIGNATURE-----\n abc\n \n -----END SSH SIGNATURE-----\nencoding x\n\nmsg\r\n\n with gpgsig in it\n',
    );
    const s = splitSignature(raw);
    assert.equal(s.gpgsig, '-----BEGIN SSH SIGNATURE-----\nabc\n\n-----END SSH SIGNATURE-----');
    assert.equal(
      s.payload.toString(),
      'tree 1\nparent 2\nauthor A <a@x> 1 +0000\ncommitter Zoë <z@x> 1 +0000\nencoding x\n\nmsg\r\n\n with gpgsig in it\n',
    );
    assert.equal(s.committer, 'Zoë <z@x>');
    assert.equal(splitSignature(Buffer.from('tree 1\n\nm\n')).gpgsig, undefined);
  });

  it('SSHSIG: a signature made by ssh-keygen -Y sign verifies, and not over other bytes', async () => {
    const file = join(dir, 'payload');
    await writeFile(file, 'tree abc\n\nhello\n');
    await execFileP('ssh-keygen', ['-Y', 'sign', '-n', 'git', '-f', ssh.key, file]);
    const sig = parseSshSignature(await readFile(`${file}.sig`, 'utf8'));
    assert.equal(sig.namespace, 'git');
    assert.equal(sig.hashAlgorithm, 'sha512');
    assert.ok(sshSignatureValid(sig, Buffer.from('tree abc\n\nhello\n')));
    assert.equal(sshSignatureValid(sig, Buffer.from('tree abc\n\nhellO\n')), false);
    assert.throws(
      () => parseSshSignature('-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----'),
      /truncated/,
    );
  });

  it('SSH keys: a .pub line and an allowed_signers line, with fingerprints as ssh-keygen prints them', async () => {
    const line = (await readFile(ssh.pub, 'utf8')).trim();
    const [pub] = parseSshKeys(line);
    assert.equal(pub!.fingerprint, await sshFingerprintOf(ssh.pub));
    assert.equal(pub!.identity, 'trusted@bosun.test');
    const [signer] = parseSshKeys(`# team\nalice@example.com namespaces="git" ${line}\n`);
    assert.equal(signer!.identity, 'alice@example.com');
    assert.throws(() => parseSshKeys('# nothing\n'), /holds no SSH public key/);
    assert.throws(() => parseSshKeys('ssh-ed25519 !!!'), /not an SSH public key line/);
  });

  it('a commit signed by a trusted SSH key is read, its signer returned', async () => {
    const sha = await signedCommit(repo, { 'a.txt': 'a' }, ssh, false);
    const a = await fetch(await trusted());
    assert.equal(a.revision, sha);
    assert.deepEqual(a.signer, {
      type: 'ssh',
      fingerprint: await sshFingerprintOf(ssh.pub),
      identity: 'trusted@bosun.test',
    });
    assert.equal((await fetch()).signer, undefined, 'no git.verify: not checked');
  });

  it('a commit signed by a trusted OpenPGP key is read, its signer returned', async () => {
    await signedCommit(repo, { 'b.txt': 'b' }, pgp, false);
    const a = await fetch(await trusted());
    assert.deepEqual(a.signer, {
      type: 'openpgp',
      fingerprint: pgp.fingerprint,
      identity: 'bosun test <pgp@bosun.test>',
    });
  });

  it('unsigned: E_COMMIT_UNSIGNED naming the keys that would do', async () => {
    const sha = await signedCommit(repo, { 'c.txt': 'c' }, undefined, false);
    const fp = await sshFingerprintOf(ssh.pub);
    await refused(
      'E_COMMIT_UNSIGNED',
      new RegExp(
        `^commit ${sha.slice(0, 12)} at HEAD is not signed; the host policy requires a signature by one of: OpenPGP ${pgp.fingerprint}, SSH ${fp.replace(/[+/]/g, '\\$&')} \\(trusted@bosun.test\\)$`,
      ),
    );
  });

  it('signed by keys the policy does not list: E_COMMIT_UNTRUSTED naming the signer and the committer', async () => {
    await signedCommit(repo, { 'd.txt': 'd' }, other, false);
    const fp = (await sshFingerprintOf(other.pub)).replace(/[+/]/g, '\\$&');
    await refused(
      'E_COMMIT_UNTRUSTED',
      new RegExp(
        `is signed by SSH key ${fp}, which the host policy does not trust \\(committer bosun-test <test@bosun.invalid>\\)`,
      ),
    );
    await signedCommit(repo, { 'e.txt': 'e' }, stranger, false);
    await refused(
      'E_COMMIT_UNTRUSTED',
      new RegExp(`is signed by OpenPGP key ${stranger.fingerprint.slice(-16)}, which`),
    );
  });

  it('a signature moved onto other content: E_COMMIT_SIGNATURE_INVALID', async () => {
    for (const key of [ssh, pgp]) {
      await signedCommit(repo, { 'f.txt': `f ${key === ssh}` }, key, false);
      const raw = await git(repo, 'cat-file', 'commit', 'HEAD');
      const forged = raw.replace(/\n\nchange$/, '\n\nchange, forged');
      const oid = await hashCommit(repo, forged + '\n');
      await git(repo, 'update-ref', 'refs/heads/main', oid);
      await refused(
        'E_COMMIT_SIGNATURE_INVALID',
        /has an invalid signature: (SSH|OpenPGP) key \S+ did not sign this commit's content/,
      );
    }
  });
});

async function hashCommit(repo: string, text: string): Promise<string> {
  const child = execFile('git', ['hash-object', '-t', 'commit', '-w', '--stdin'], { cwd: repo });
  const out = new Promise<string>((resolve, reject) => {
    let s = '';
    child.stdout!.on('data', (d) => (s += d));
    child.on('close', (code) => (code === 0 ? resolve(s.trim()) : reject(new Error(`git hash-object: ${code}`))));
  });
  child.stdin!.end(text);
  return out;
}
