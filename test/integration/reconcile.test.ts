import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import {
  cleanupProject,
  containerIds,
  docker,
  ensureTestImages,
  IMAGE_V1,
  IMAGE_V2,
  uniqueProject,
} from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { present, stackFiles } from '../helpers/stack.ts';

/**
 * Issue #2's acceptance, end to end: the real `bosun` binary, a real Docker engine, a git
 * server over HTTP and the embedded state store.
 */
describe('bosun reconcile (docker + git over HTTP + embedded store)', function () {
  this.timeout(120_000);
  const project = uniqueProject('core');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project)));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-core-'));
    flags = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
  });

  after(async () => {
    await cleanupProject(project);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const keysNow = async () => {
    const kv = await openStore(`file:${tmp}/state`);
    try {
      return (await kv.list(`/${project}/`)).map((e) => `${e.key}=${e.value}`);
    } finally {
      await kv.close();
    }
  };

  it('dry-run from empty lists every create, exits 2 and creates nothing', async () => {
    const r = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(r.code, 2, r.stderr);
    for (const name of ['api-1', 'web-1', 'web-2', 'worker-1'])
      assert.match(r.stdout, new RegExp(`\\+ create container ${project}-${name} `));
    assert.match(r.stdout, new RegExp(`\\+ put key /${project}/app/LEVEL = "info" — missing`));
    assert.deepEqual(await containerIds(project), {});
    assert.deepEqual(await keysNow(), []);
    assert.match((await bosun(['releases', ...flags])).stdout, /no releases/);
  });

  it('reconcile creates all of it, records release 1, and a second dry-run exits 0', async () => {
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /release 1 succeeded/);
    const ids = await containerIds(project);
    assert.deepEqual(Object.fromEntries(Object.entries(ids).map(([s, l]) => [s, l.length])), {
      api: 1,
      web: 2,
      worker: 1,
    });
    assert.deepEqual(await keysNow(), [`/${project}/app/LEVEL=info`, `/${project}/app/LIMITS={"rps":10}`]);
    const env = (await docker.getContainer(ids.api[0].split(':')[1]).inspect()).Config.Env;
    assert.ok(env.includes('LEVEL=info') && env.includes('LIMITS={"rps":10}'), env.join(' '));
    const again = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /no changes/);
  });

  it('a new image for one service replaces exactly its containers', async () => {
    const before = await containerIds(project);
    const sha = await repo.commit(stackFiles(project, { webImage: IMAGE_V2 }), 'web v2');
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(`~ replace container ${project}-web-1 \\(${IMAGE_V2}\\) — image ${IMAGE_V1} → ${IMAGE_V2}`),
    );
    const after = await containerIds(project);
    assert.deepEqual(after.api, before.api);
    assert.deepEqual(after.worker, before.worker);
    assert.equal(after.web.length, 2);
    for (const id of after.web) assert.ok(!before.web.includes(id), 'web replica kept its old container');
    const show = await bosun(['releases', 'show', '2', ...flags]);
    assert.match(show.stdout, new RegExp(`revision:  ${sha}`));
    assert.match(show.stdout, new RegExp(`web: ${IMAGE_V2}`));
  });

  it('scaling adds or removes replicas without touching the others', async () => {
    const two = await containerIds(project);
    await repo.commit(stackFiles(project, { webImage: IMAGE_V2, webReplicas: 3 }), 'scale up');
    assert.equal((await bosun(['reconcile', ...flags])).code, 0);
    const three = await containerIds(project);
    assert.deepEqual(three.web.slice(0, 2), two.web);
    assert.match(three.web[2], /^3:/);
    await repo.commit(stackFiles(project, { webImage: IMAGE_V2, webReplicas: 1 }), 'scale down');
    const r = await bosun(['reconcile', ...flags]);
    assert.match(r.stdout, /remove container .*-web-3 — scale 3 → 1/);
    assert.deepEqual((await containerIds(project)).web, [two.web[0]]);
  });

  it('prunes a service removed from the repo and leaves an unlabelled container alone', async () => {
    const foreign = await docker.createContainer({
      name: `${project}-worker-9`,
      Image: IMAGE_V1,
      Cmd: ['sleep', '60'],
    });
    try {
      await repo.commit(stackFiles(project, { webImage: IMAGE_V2, webReplicas: 1, worker: false }), 'drop worker');
      const r = await bosun(['reconcile', ...flags]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`- remove container ${project}-worker-1 — removed from repo`));
      assert.equal((await containerIds(project)).worker, undefined);
      assert.equal((await foreign.inspect()).Name, `/${project}-worker-9`);
    } finally {
      await foreign.remove({ force: true });
    }
  });

  it('an invalid repo reports every error with file:line:col and changes nothing', async () => {
    const before = {
      ids: await containerIds(project),
      keys: await keysNow(),
      releases: (await bosun(['releases', ...flags])).stdout,
    };
    const broken = {
      ...stackFiles(project, { webImage: IMAGE_V2, webReplicas: 1, worker: false }),
      'services/web.yaml':
        'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  image: x:1\n  replicas: three\n  replica: 2\n  dependsOn: [api]\n',
      'services/api.yaml': 'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: api\nspec:\n  dependsOn: [web]\n',
      'services/loop.yaml': [1, 2]
        .map(
          (n) =>
            `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: loop${n}\nspec:\n  image: x:1\n  dependsOn: [loop${3 - n}]\n`,
        )
        .join('---\n'),
    };
    await repo.commit(broken, 'broken');
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /services\/web\.yaml:7:13 spec\.replicas: must be integer/);
    assert.match(r.stderr, /services\/web\.yaml:8:3 spec\.replica: unknown field "replica"/);
    assert.match(r.stderr, /services\/api\.yaml:6:3 spec\.image: is required/);
    assert.match(
      r.stderr,
      /services\/loop\.yaml:\d+:\d+ spec\.dependsOn\[0\]: dependency cycle: loop1 → loop2 → loop1/,
    );
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.deepEqual(await containerIds(project), before.ids);
    assert.deepEqual(await keysNow(), before.keys);
    assert.equal((await bosun(['releases', ...flags])).stdout, before.releases);
  });

  it('lists one release per applying reconcile, with its commit', async () => {
    const r = await bosun(['releases', ...flags, '--output', 'json']);
    const list = JSON.parse(r.stdout) as { number: number; status: string; revision: string }[];
    assert.deepEqual(
      list.map((x) => x.number),
      [1, 2, 3, 4, 5],
    );
    assert.ok(list.every((x) => x.status === 'succeeded' && /^[0-9a-f]{40}$/.test(x.revision)));
  });
});
