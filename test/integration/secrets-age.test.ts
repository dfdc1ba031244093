import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';

const run = promisify(execFile);
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

describe('secrets from git in age, and from the controller host, reach the container only', function () {
  this.timeout(120_000);
  const p = uniqueProject('age');
  const plain = `age-plain-${randomBytes(6).toString('hex')}`;
  const fromEnv = `age-env-${randomBytes(6).toString('hex')}`;
  const fromFile = `age-file-${randomBytes(6).toString('hex')}`;
  let server: GitServer;
  let tmp: string;
  let base: string[];
  let env: Record<string, string>;

  before(async () => {
    await ensureTestImages();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-age-'));
    await fs.mkdir(path.join(tmp, 'secrets', 'db'), { recursive: true });
    await fs.writeFile(path.join(tmp, 'secrets', 'db', 'key'), fromFile);
    const keygen = await bosun(['secret', 'keygen', '-o', path.join(tmp, 'id.txt')]);
    assert.equal(keygen.code, 0, keygen.stderr);
    assert.equal((await bosun(['secret', 'keygen', '-o', path.join(tmp, 'wrong.txt')])).code, 0);
    const recipient = keygen.stdout.trim();
    const enc = await bosun(['secret', 'encrypt', '--recipient', recipient, '--key', 'DB_PASSWORD', plain]);
    assert.equal(enc.code, 0, enc.stderr);
    const config = [
      'apiVersion: bosun/v1\nkind: Config\nmetadata: { name: db }\nspec:\n',
      `  prefix: /${p}/db/\n  data:\n    USER: app\n`,
      `${enc.stdout.trimEnd().replace(/^/gm, '    ')}\n`,
      '  dataFrom:\n    TOKEN: { env: BOSUN_SECRET_AGE_TOKEN }\n    KEY: { file: db/key }\n',
    ].join('');
    server = await startGitServer();
    const repo = await server.createRepo(p, {
      'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${p} }\n`,
      'config.yaml': config,
      'app.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: app }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  files: [{ config: db, target: /run/secrets }]\n`,
    });
    base = ['--repo', repo.url, '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    base.push('--secrets-dir', path.join(tmp, 'secrets'));
    env = { BOSUN_SECRET_AGE_TOKEN: fromEnv };
  });

  after(async () => {
    await cleanupProject(p);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('keygen writes the identity 0600', async () => {
    assert.equal((await fs.stat(path.join(tmp, 'id.txt'))).mode & 0o777, 0o600);
  });

  it('with the wrong identity: exit 1, the value located, nothing applied', async () => {
    const wrong = await bosun(['reconcile', ...base, '--age-identity', path.join(tmp, 'wrong.txt')], env);
    const theirs = (await fs.readFile(path.join(tmp, 'wrong.txt'), 'utf8')).match(/public key: (\S+)/)![1];
    assert.equal(wrong.code, 1);
    assert.equal(
      wrong.stderr,
      `error: 1 manifest error:\nconfig.yaml:8:18 spec.data.DB_PASSWORD: cannot decrypt age value: no identity matches (the controller's identity is for ${theirs})\n`,
    );
    assert.deepEqual(await containerIds(p), {}, 'no container created');
    const none = await bosun(['reconcile', ...base], { BOSUN_AGE_IDENTITY: '' });
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: 2 manifest errors:\n/);
    assert.match(none.stderr, /spec\.dataFrom\.TOKEN: environment variable BOSUN_SECRET_AGE_TOKEN is not set/);
    assert.deepEqual(await containerIds(p), {}, 'no container created');
  });

  it('with the identity: the container reads every value decrypted; no output, label or git object holds one', async () => {
    const r = await bosun(['reconcile', ...base, '--age-identity', path.join(tmp, 'id.txt')], env);
    assert.equal(r.code, 0, r.stderr);
    const id = (await containerIds(p)).app![0]!.split(':')[1]!;
    assert.equal(await readInContainer(id, '/run/secrets/DB_PASSWORD'), plain);
    assert.equal(await readInContainer(id, '/run/secrets/TOKEN'), fromEnv);
    assert.equal(await readInContainer(id, '/run/secrets/KEY'), fromFile);
    assert.equal(await readInContainer(id, '/run/secrets/USER'), 'app');
    const inspect = JSON.stringify(await docker.getContainer(id).inspect());
    const objects = await run('git', ['cat-file', '--batch-all-objects', '--batch'], {
      cwd: path.join(server.root, `${p}.git`),
      maxBuffer: 64 * 1024 * 1024,
    });
    assert.match(objects.stdout, /BEGIN AGE ENCRYPTED FILE/, 'the git objects were read');
    for (const secret of [plain, fromEnv, fromFile]) {
      for (const [where, text] of Object.entries({ output: r.stdout + r.stderr, inspect, git: objects.stdout }))
        assert.ok(!text.includes(secret), `${secret} found in ${where}`);
    }
    const again = await bosun(['reconcile', ...base, '--age-identity', path.join(tmp, 'id.txt'), '--dry-run'], env);
    assert.match(again.stdout, /no changes/i, 'decrypting again gives the same state');
  });
});
