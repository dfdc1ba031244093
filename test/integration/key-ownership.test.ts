import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { readOwnedKeys } from '../../src/store/owned-keys.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { testSealer } from '../helpers/state-key.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
/** Another team's value: it must never appear in anything bosun prints. */
const THEIRS = 'other-teams-value-7f3a';

function files(p: string, o: { adopt?: boolean; level?: boolean }): Record<string, string> {
  const data = ['    MINE: ours', ...(o.level === false ? [] : ['    LEVEL: debug'])].join('\n');
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${p} }\n`,
    'config.yaml': `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: app }\nspec:\n  prefix: /${p}/team/\n${o.adopt ? '  adopt: true\n' : ''}  data:\n${data}\n`,
    'web.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: web }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  envFrom: [{ config: app }]\n`,
  };
}

/** Issue 12, item 3: a Config never overwrites (nor prints) a key it does not own, unless it adopts it. */
describe('Config keys bosun does not own (real etcd, Docker, git over HTTP)', function () {
  this.timeout(120_000);
  const p = uniqueProject('kemp-keys');
  const key = `/${p}/team/LEVEL`;
  let server: GitServer;
  let repo: TestRepo;
  let etcd: KvStore;
  let flags: string[];
  let cache: string;

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    repo = await server.createRepo(p, files(p, {}));
    etcd = await openStore(ETCD_URL);
    await etcd.put(key, THEIRS);
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-kemp-keys-'));
    flags = ['--repo', repo.url, '--state', ETCD_URL, '--cache-dir', cache];
  });

  after(async () => {
    await cleanupProject(p);
    for (const prefix of [`/${p}/`, `/bosun/${p}/`]) for (const e of await etcd.list(prefix)) await etcd.delete(e.key);
    await etcd?.close();
    await server?.close();
    await fs.rm(cache, { recursive: true, force: true });
  });

  const refusal =
    'error: 1 key not owned by the project:\n' +
    `config.yaml:1:1 Config app: key ${key} exists and was not written by bosun for project ${p}: not overwritten (set spec.adopt: true on this Config to take it over)\n`;

  it('refuses the overwrite in a dry run, in text and JSON, without printing the foreign value', async () => {
    for (const output of ['text', 'json']) {
      const dry = await bosun(['reconcile', ...flags, '--dry-run', '-o', output]);
      assert.equal(dry.code, 1, dry.stdout);
      assert.equal(dry.stderr, refusal);
      assert.equal(dry.stdout, '');
    }
  });

  it('refuses the reconcile: nothing applied, the key keeps its value and stays not owned', async () => {
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, refusal);
    assert.doesNotMatch(r.stdout, new RegExp(THEIRS));
    assert.equal((await etcd.get(key))?.value, THEIRS);
    assert.equal(await etcd.get(`/${p}/team/MINE`), undefined);
    assert.deepEqual(await containerIds(p), {});
    assert.deepEqual(await readOwnedKeys(etcd, testSealer(), p), []);
  });

  it('with adopt: true plans "adopt", showing only that the key existed, then takes it over', async () => {
    await repo.commit(files(p, { adopt: true }));
    const text = await bosun(['reconcile', ...flags, '--dry-run']);
    assert.equal(text.code, 0, text.stderr);
    const ops = text.stdout.split('\n').filter((l) => l.includes(' key '));
    assert.deepEqual(ops, [
      `  ~ adopt key ${key} = "debug" (was (not owned)) — existed, not written by bosun: taken over (Config app has adopt: true)`,
      `  + put key /${p}/team/MINE = "ours" — missing`,
    ]);
    const json = await bosun(['reconcile', ...flags, '--dry-run', '-o', 'json']);
    assert.equal(json.code, 0, json.stderr);
    const adopted = JSON.parse(json.stdout).operations.find((o: { key?: string }) => o.key === key);
    assert.equal(adopted.action, 'adopt');
    assert.equal(adopted.previous, '(not owned)');
    for (const out of [text.stdout, json.stdout]) assert.doesNotMatch(out, new RegExp(THEIRS));

    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, new RegExp(THEIRS));
    assert.equal((await etcd.get(key))?.value, 'debug');
    assert.deepEqual(await readOwnedKeys(etcd, testSealer(), p), [key, `/${p}/team/MINE`].sort());
    assert.equal((await containerIds(p)).web.length, 1);
    const show = await bosun(['releases', 'show', '1', ...flags, '-o', 'json']);
    assert.equal(show.code, 0, show.stderr);
    assert.doesNotMatch(show.stdout, new RegExp(THEIRS));
  });

  it('an adopted key is owned: removing it from the repo deletes it', async () => {
    await repo.commit(files(p, { adopt: true, level: false }));
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`- delete key ${key} — removed from repo`));
    assert.equal(await etcd.get(key), undefined);
    assert.deepEqual(await readOwnedKeys(etcd, testSealer(), p), [`/${p}/team/MINE`]);
  });
});
