import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/open.ts';
import type { KvStore } from '../../src/ports.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { present, stackFiles } from '../helpers/stack.ts';

async function deletePrefix(kv: KvStore, prefix: string): Promise<void> {
  for (const e of await kv.list(prefix)) await kv.delete(e.key);
}

describe('bosun CLI on the etcd store, and its errors', function () {
  this.timeout(120_000);
  const project = uniqueProject('etcd');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let etcd: KvStore;
  let flags: string[];

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { webReplicas: 1, worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-cli-'));
    etcd = await openStore(ETCD_URL);
    flags = ['--repo', repo.url, '--state', ETCD_URL, '--cache-dir', tmp];
  });

  after(async () => {
    await cleanupProject(project);
    if (etcd) {
      await deletePrefix(etcd, `/${project}/`);
      await deletePrefix(etcd, `/bosun/${project}/`);
      await etcd.close();
    }
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('validate reports the project and resolved commit without touching anything', async () => {
    const r = await bosun(['validate', '--repo', repo.url, '--cache-dir', tmp]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`valid: project ${project}, .* at ${(await repo.head()).slice(0, 12)}`));
    assert.match(r.stdout, /services: api, web/);
    assert.deepEqual(await containerIds(project), {});
  });

  it('applies and records releases in etcd, with Config keys written there', async () => {
    const first = await bosun(['reconcile', ...flags]);
    assert.equal(first.code, 0, first.stderr);
    const keys = (await etcd.list(`/${project}/app/`)).map((e) => `${e.key}=${e.value}`);
    assert.deepEqual(keys, [`/${project}/app/LEVEL=info`, `/${project}/app/LIMITS={"rps":10}`]);
    const sha = await repo.commit(
      stackFiles(project, { webReplicas: 1, worker: false, webImage: IMAGE_V2, level: 'debug' }),
    );
    const second = await bosun(['reconcile', ...flags]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /~ put key .*\/app\/LEVEL = "debug" — value differs from repo/);
    assert.match(second.stdout, /~ replace container .*-api-1 .* — env\.LEVEL info → debug/);
    const list = JSON.parse((await bosun(['releases', ...flags, '-o', 'json'])).stdout) as {
      number: number;
      revision: string;
    }[];
    assert.deepEqual(
      list.map((x) => x.number),
      [1, 2],
    );
    assert.equal(list[1].revision, sha);
    const show = await bosun(['releases', 'show', '2', ...flags]);
    assert.match(show.stdout, /release 2 of .*: succeeded/);
    assert.match(show.stdout, /configs:\n {4}app: /);
  });

  it('prints json and markdown plans for machines and pull requests', async () => {
    await repo.commit(stackFiles(project, { webReplicas: 2, worker: false, webImage: IMAGE_V2, level: 'debug' }));
    const json = await bosun(['reconcile', ...flags, '--dry-run', '-o', 'json', '--detailed-exitcode']);
    assert.equal(json.code, 2, json.stderr);
    const plan = JSON.parse(json.stdout) as {
      summary: { create: number };
      operations: { kind: string; name: string }[];
      hash: string;
    };
    assert.equal(plan.summary.create, 1);
    assert.deepEqual(
      plan.operations.map((o) => `${o.kind} ${o.name}`),
      [`create-container ${project}-web-2`],
    );
    assert.match(plan.hash, /^[0-9a-f]{64}$/);
    const md = await bosun(['reconcile', ...flags, '--dry-run', '-o', 'markdown']);
    assert.match(md.stdout, /^### Plan for /);
    assert.match(md.stdout, /\| \+ \| create \| `container .*-web-2 /);
  });

  it('names an unreachable Docker engine in one line, exit 1, and writes nothing', async () => {
    const r = await bosun(['reconcile', ...flags, '--docker-host', 'unix:///nonexistent/docker.sock']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: cannot reach the Docker engine at unix:///nonexistent/docker.sock: ENOENT\n');
    const list = JSON.parse((await bosun(['releases', ...flags, '-o', 'json'])).stdout) as unknown[];
    assert.equal(list.length, 2);
  });

  it('names an unreachable etcd in one line, exit 1, and touches no container', async () => {
    const before = await containerIds(project);
    const r = await bosun(['reconcile', '--repo', repo.url, '--cache-dir', tmp, '--state', 'etcd://127.0.0.1:1']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: cannot reach etcd at 127\.0\.0\.1:1: .+\n$/);
    assert.deepEqual(await containerIds(project), before);
  });

  it('processes sharing one repository cache fetch safely at the same time', async () => {
    const sha = await repo.commit(
      stackFiles(project, { webReplicas: 2, worker: false, webImage: IMAGE_V2, level: 'shared-cache' }),
    );
    const runs = await Promise.all([1, 2, 3, 4].map(() => bosun(['validate', '--repo', repo.url, '--cache-dir', tmp])));
    for (const r of runs) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`at ${sha.slice(0, 12)}`));
    }
  });

  it('rejects a malformed state url with the accepted forms', async () => {
    const r = await bosun(['validate', '--repo', repo.url, '--cache-dir', tmp, '--state', 'redis://x']);
    assert.equal(r.code, 0, 'validate does not open the store');
    const bad = await bosun(['releases', '--project', project, '--state', 'redis://x']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /etcd:\/\/host:port/);
  });
});
