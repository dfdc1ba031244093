import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { once } from 'node:events';
import { decodeArmor, decryptText } from '../../src/secrets/age.ts';
import { readIdentityFile } from '../../src/secrets/host.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../bin/bosun.js');
const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/** What a file in the container holds, read with the engine's exec. */
async function readInContainer(id: string, file: string): Promise<string> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['cat', file], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve) => {
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => resolve());
  });
  // the multiplexed stream: an 8-byte header before each frame
  const raw = Buffer.concat(chunks);
  let out = '';
  for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4))
    out += raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4)).toString('utf8');
  return out;
}

interface Stack {
  project: string;
  tmp: string;
  /** --repo, --state, --cache-dir, --secrets-dir */
  flags: string[];
  env: Record<string, string>;
  /** the three secret values: age in git, a host variable, a host file */
  plain: string[];
  bare: string;
}

/**
 * A repo whose Config holds an age value made with the CLI (`secret keygen`, `secret encrypt`),
 * a BOSUN_SECRET_* variable and a --secrets-dir file; a service mounts every key as a file.
 */
async function secretStack(server: GitServer, prefix: string): Promise<Stack> {
  const p = uniqueProject(prefix);
  const [plain, fromEnv, fromFile] = ['plain', 'env', 'file'].map((k) => `${p}-${k}-${randomBytes(6).toString('hex')}`);
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `bosun-${prefix}-`));
  await fs.mkdir(path.join(tmp, 'secrets', 'db'), { recursive: true });
  await fs.writeFile(path.join(tmp, 'secrets', 'db', 'key'), fromFile!);
  const keygen = await bosun(['secret', 'keygen', '-o', path.join(tmp, 'id.txt')]);
  assert.equal(keygen.code, 0, keygen.stderr);
  assert.equal((await bosun(['secret', 'keygen', '-o', path.join(tmp, 'wrong.txt')])).code, 0);
  const enc = await bosun(['secret', 'encrypt', '--recipient', keygen.stdout.trim(), '--key', 'DB_PASSWORD', plain!]);
  assert.equal(enc.code, 0, enc.stderr);
  const config = [
    'apiVersion: bosun/v1\nkind: Config\nmetadata: { name: db }\nspec:\n',
    `  prefix: /${p}/db/\n  data:\n    USER: app\n`,
    `${enc.stdout.trimEnd().replace(/^/gm, '    ')}\n`,
    '  dataFrom:\n    TOKEN: { env: BOSUN_SECRET_AGE_TOKEN }\n    KEY: { file: db/key }\n',
  ].join('');
  const repo = await server.createRepo(p, {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${p} }\n`,
    'config.yaml': config,
    'app.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: app }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  files: [{ config: db, target: /run/secrets }]\n`,
  });
  const flags = ['--repo', repo.url, '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
  flags.push('--secrets-dir', path.join(tmp, 'secrets'));
  const bare = path.join(server.root, `${p}.git`);
  return {
    project: p,
    tmp,
    flags,
    env: { BOSUN_SECRET_AGE_TOKEN: fromEnv! },
    plain: [plain!, fromEnv!, fromFile!],
    bare,
  };
}

/** The files the app container got, in the order of Stack.plain, plus USER. */
async function mounted(project: string): Promise<string[]> {
  const id = (await containerIds(project)).app![0]!.split(':')[1]!;
  return Promise.all(['DB_PASSWORD', 'TOKEN', 'KEY', 'USER'].map((k) => readInContainer(id, `/run/secrets/${k}`)));
}

async function recipientOf(file: string): Promise<string> {
  return (await fs.readFile(file, 'utf8')).match(/public key: (\S+)/)![1]!;
}

describe('secrets from git in age, and from the controller host, reach the container only', function () {
  this.timeout(180_000);
  let server: GitServer;
  let st: Stack;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    st = await secretStack(server, 'age');
  });

  after(async () => {
    if (st) await cleanupProject(st.project);
    await server?.close();
    if (st) await fs.rm(st.tmp, { recursive: true, force: true });
  });

  it('keygen writes the identity 0600', async () => {
    assert.equal((await fs.stat(path.join(st.tmp, 'id.txt'))).mode & 0o777, 0o600);
  });

  it('secret encrypt reads stdin byte for byte; the identity file decrypts it', async () => {
    const recipient = await recipientOf(path.join(st.tmp, 'id.txt'));
    const value = 'line one\nline two: ünïcode\n';
    const child = execFile(process.execPath, [BIN, 'secret', 'encrypt', '-r', recipient, '-']);
    child.stdin!.end(value);
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    assert.equal(code, 0);
    assert.match(out, /^-----BEGIN AGE ENCRYPTED FILE-----\n[\s\S]+\n-----END AGE ENCRYPTED FILE-----\n$/);
    const keys = await readIdentityFile(path.join(st.tmp, 'id.txt'));
    assert.equal(await decryptText(decodeArmor(out), keys), value);
  });

  it('with the wrong identity: exit 1, the value located, nothing applied', async () => {
    const wrong = await bosun(['reconcile', ...st.flags, '--age-identity', path.join(st.tmp, 'wrong.txt')], st.env);
    const theirs = await recipientOf(path.join(st.tmp, 'wrong.txt'));
    assert.equal(wrong.code, 1);
    assert.equal(
      wrong.stderr,
      `error: 1 manifest error:\nconfig.yaml:8:18 spec.data.DB_PASSWORD: cannot decrypt age value: no identity matches (the controller's identity is for ${theirs})\n`,
    );
    assert.deepEqual(await containerIds(st.project), {}, 'no container created');
    const none = await bosun(['reconcile', ...st.flags], { BOSUN_AGE_IDENTITY: '' });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: 2 manifest errors:\n/);
    assert.match(none.stderr, /spec\.dataFrom\.TOKEN: environment variable BOSUN_SECRET_AGE_TOKEN is not set/);
    assert.deepEqual(await containerIds(st.project), {}, 'no container created');
  });

  it('with the identity: the container reads every value decrypted; no output, inspect or git object holds one', async () => {
    const r = await bosun(['reconcile', ...st.flags, '--age-identity', path.join(st.tmp, 'id.txt')], st.env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await mounted(st.project), [...st.plain, 'app']);
    const id = (await containerIds(st.project)).app![0]!.split(':')[1]!;
    const inspect = JSON.stringify(await docker.getContainer(id).inspect());
    const objects = await run('git', ['cat-file', '--batch-all-objects', '--batch'], {
      cwd: st.bare,
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(objects.stdout, /BEGIN AGE ENCRYPTED FILE/, 'the git objects were read');
    for (const secret of st.plain) {
      for (const [where, text] of Object.entries({ output: r.stdout + r.stderr, inspect, git: objects.stdout }))
        assert.ok(!text.includes(secret), `${secret} found in ${where}`);
    }
    const again = await bosun(
      ['reconcile', ...st.flags, '--age-identity', path.join(st.tmp, 'id.txt'), '--dry-run'],
      st.env,
    );
    assert.match(again.stdout, /no changes/i, 'decrypting again gives the same state');
  });

  it('bosun serve decrypts with its identity; with the wrong one it reports the located error and runs nothing', async () => {
    const other = await secretStack(server, 'age-serve');
    try {
      const args = [...other.flags, '--poll', '0 0 1 1 *'];
      const wrong = await startServe([...args, '--age-identity', path.join(other.tmp, 'wrong.txt')], other.env);
      const failed = await waitFor(
        'the start-up pass to fail',
        async () => (await status(wrong)).lastAttempt?.error,
        60_000,
        wrong,
      );
      await wrong.stop();
      assert.equal(failed.code, 'E_MANIFEST_INVALID');
      assert.match(
        failed.message,
        /config\.yaml:8:18 spec\.data\.DB_PASSWORD: cannot decrypt age value: no identity matches/,
      );
      assert.deepEqual(await containerIds(other.project), {});
      const good = await startServe([...args, '--age-identity', path.join(other.tmp, 'id.txt')], other.env);
      await waitFor('the start-up pass to apply', async () => (await status(good)).applied ?? undefined, 60_000, good);
      await good.stop();
      assert.deepEqual(await mounted(other.project), [...other.plain, 'app']);
      const logs = JSON.stringify([wrong.logs, good.logs]) + wrong.stderr() + good.stderr();
      for (const secret of other.plain) assert.ok(!logs.includes(secret), `${secret} found in the logs`);
    } finally {
      await cleanupProject(other.project);
      await fs.rm(other.tmp, { recursive: true, force: true });
    }
  });
});
