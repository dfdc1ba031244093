import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun, type CliResult } from '../helpers/cli.ts';
import {
  cleanupProject,
  docker,
  ensureTestImages,
  IMAGE_V1,
  projectContainers,
  uniqueProject,
} from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';
import { openStore } from '../../src/store/open.ts';
import { containerText, execIn, fileStat } from '../helpers/inspect.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
/** Never fires: serve sees only its start-up pass and the drift this test causes. */
const NO_POLL = '0 0 1 1 *';

/** Distinct values nothing else could contain, so a search for them is a search for a leak. */
const secretValue = (n: number) => `hunter2-leak${n}-${randomBytes(6).toString('hex')}`;
const PLAIN = `plain-level-${randomBytes(4).toString('hex')}`;

/** A non-secret Config read as env, a secret one read as files (one key, and every key as a folder). */
function stack(p: string, password: string, apiKey: string, secretEnv = false): Record<string, string> {
  const service = (name: string, reads: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n${reads}`;
  const reads = secretEnv
    ? '  envFrom: [{ config: app }, { config: creds }]\n'
    : '  envFrom: [{ config: app }]\n  files:\n    - { config: creds, key: DB_PASSWORD, target: /run/secrets/db_password, mode: 0o400 }\n    - { config: creds, target: /run/secrets/creds }\n';
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${p} }\n`,
    'config.yaml': [
      `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: app }\nspec:\n  prefix: /${p}/app/\n  data:\n    LEVEL: ${PLAIN}\n`,
      `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: creds }\nspec:\n  prefix: /${p}/creds/\n  secret: true\n  data:\n    DB_PASSWORD: ${password}\n    API_KEY: ${apiKey}\n`,
    ].join('---\n'),
    'services.yaml': [service('db', reads), service('web', '  envFrom: [{ config: app }]\n')].join('---\n'),
  };
}

describe('secrets never in clear outside the container (docker + etcd + git over HTTP)', function () {
  this.timeout(180_000);
  const p = uniqueProject('leak');
  const used: string[] = [];
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];

  /** Pushes new secret values; every value ever used stays on the list of things never to see. */
  const rotate = async () => {
    const [password, apiKey] = [secretValue(used.length), secretValue(used.length + 1)];
    used.push(password, apiKey);
    return { password, apiKey, sha: await repo.commit(stack(p, password, apiKey)) };
  };
  const assertClean = (what: string, text: string) => {
    for (const s of used) assert.ok(!text.includes(s), `${what} shows the secret ${s}:\n${text.slice(0, 4000)}`);
  };
  const cli = async (args: string[], code = 0): Promise<CliResult> => {
    const r = await bosun([...args, ...flags]);
    assert.equal(r.code, code, `bosun ${args.join(' ')}: ${r.stdout}${r.stderr}`);
    assertClean(`bosun ${args.join(' ')}`, r.stdout + r.stderr);
    return r;
  };
  /** `docker inspect` of every container of the project, searched whole. */
  const assertInspectClean = async () => {
    const list = await projectContainers(p);
    assert.equal(list.length, 2, 'db and web run');
    for (const c of list) assertClean(`docker inspect ${c.Names[0]}`, await containerText(c.Id));
  };
  const dbId = async () => (await projectContainers(p)).find((c) => c.Labels['bosun.service'] === 'db')!.Id;

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    const [password, apiKey] = [secretValue(0), secretValue(1)];
    used.push(password, apiKey);
    repo = await server.createRepo(p, stack(p, password, apiKey));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-leak-'));
    flags = ['--repo', repo.url, '--state', ETCD_URL, '--cache-dir', path.join(tmp, 'cache')];
  });

  after(async () => {
    await cleanupProject(p);
    const etcd = await openStore(ETCD_URL);
    for (const prefix of [`/${p}/`, `/bosun/${p}/`]) for (const e of await etcd.list(prefix)) await etcd.delete(e.key);
    await etcd.close();
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('refuses envFrom of a secret Config at its location, and creates nothing', async () => {
    const other = uniqueProject('leak-env');
    const bad = await server.createRepo(other, stack(other, 'hunter2-leak-env-value', 'k'));
    await bad.commit(stack(other, 'hunter2-leak-env-value', 'k', true));
    const args = ['--repo', bad.url, '--state', ETCD_URL, '--cache-dir', path.join(tmp, 'cache-env')];
    for (const verb of ['validate', 'reconcile']) {
      const r = await bosun([verb, ...args]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.match(
        r.stderr,
        /services\.yaml:8:40 spec\.envFrom\[1\]\.config: Config "creds" is secret and cannot be read through envFrom: environment variables show in docker inspect; mount it with spec\.files instead/,
      );
      assert.doesNotMatch(r.stdout + r.stderr, /hunter2-leak-env-value/);
    }
    assert.deepEqual(await projectContainers(other), []);
  });

  it('validate -o json masks secret values and keeps the others', async () => {
    const r = await cli(['validate', '-o', 'json']);
    const configs = (JSON.parse(r.stdout) as { desired: { configs: { name: string; data: object }[] } }).desired
      .configs;
    assert.deepEqual(configs.find((c) => c.name === 'creds')?.data, { API_KEY: '(secret)', DB_PASSWORD: '(secret)' });
    assert.deepEqual(configs.find((c) => c.name === 'app')?.data, { LEVEL: PLAIN });
  });

  it('reconcile -o json applies; docker inspect shows no secret; the container reads its files', async () => {
    const r = await cli(['reconcile', '-o', 'json']);
    assert.match(r.stdout, /"value": "\(secret\)"/);
    await assertInspectClean();
    const id = await dbId();
    assert.equal(await execIn(id, ['cat', '/run/secrets/db_password']), used[0]);
    assert.equal(await execIn(id, ['cat', '/run/secrets/creds/API_KEY']), used[1]);
    assert.equal(await execIn(id, ['sh', '-c', 'stat -c %a /run/secrets/db_password; echo $LEVEL']), `400\n${PLAIN}\n`);
    // the only copy outside the container is the engine's own writable layer, root-only
    const host = await fileStat(id, '/run/secrets/db_password');
    assert.equal(host.mode & 0o777, 0o400, 'host copy of the secret file');
    assert.equal(host.dockerRootMode & 0o007, 0, 'the engine data-root is closed to other users');
  });

  it('a rotated secret replaces the container that reads it; plan text and progress stay masked', async () => {
    const before = await dbId();
    const { password } = await rotate();
    const r = await cli(['reconcile']);
    assert.match(r.stdout, /put key \/t-leak-[0-9a-f]+\/creds\/DB_PASSWORD = \(secret\)/);
    assert.match(r.stdout, /files\.\/run\/secrets\/db_password: \(secret\) → \(secret\)/);
    const after = await dbId();
    assert.notEqual(after, before, 'a secret change must still recreate the container');
    assert.equal(await execIn(after, ['cat', '/run/secrets/db_password']), password);
    await assertInspectClean();
  });

  it('releases, releases show and status, as text and JSON, show no secret', async () => {
    const show = await cli(['releases', 'show', '2', '-o', 'json']);
    assert.match(show.stdout, /"DB_PASSWORD": "\(secret\)"/);
    await cli(['releases', 'show', '2']);
    await cli(['releases', '-o', 'json']);
    const st = await cli(['status', '-o', 'json']);
    assert.equal((JSON.parse(st.stdout) as { inForce: { number: number } }).inForce.number, 2);
    await cli(['status']);
  });

  it('a saved plan holds no secret; applying it takes the values from git', async () => {
    const { password } = await rotate();
    const file = path.join(tmp, 'plan.json');
    await cli(['reconcile', '--dry-run', '--out', file]);
    const saved = await fs.readFile(file, 'utf8');
    assertClean('the saved plan', saved);
    assert.match(saved, /\(secret\)/);
    await cli(['apply', file]);
    assert.equal(await execIn(await dbId(), ['cat', '/run/secrets/db_password']), password);
    await assertInspectClean();
  });

  it('serve: its logs, /status and /metrics show no secret through an apply and a drift repair', async () => {
    const { sha } = await rotate();
    const s = await startServe([...flags, '--poll', NO_POLL]);
    try {
      await waitFor(
        'the start-up pass',
        async () => (await status(s)).applied?.revision === sha || undefined,
        60_000,
        s,
      );
      const victim = await dbId();
      await docker.getContainer(victim).remove({ force: true });
      await waitFor(
        'the drift repair',
        async () => (await status(s)).lastAttempt?.result === 'healed' || undefined,
        30_000,
        s,
      );
      const logs = s.logs.map((l) => JSON.stringify(l)).join('\n');
      assert.match(logs, /put key [^"]*DB_PASSWORD = \(secret\)/, 'the logs carry the operations, masked');
      assertClean('serve logs', logs + s.stderr());
      assertClean('/status', await (await fetch(`${s.url}/status`)).text());
      assertClean('/metrics', await (await fetch(`${s.url}/metrics`)).text());
    } finally {
      await s.stop();
    }
    await assertInspectClean();
  });
});
