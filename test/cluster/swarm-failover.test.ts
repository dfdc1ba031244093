/**
 * The Swarm back end when the cluster loses a part: a host lost in a power cut (its tasks move,
 * bosun says the node is down, nothing runs twice once it returns), then an etcd member lost
 * (reconciles, the apply lock and the election go on).
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type Docker from 'dockerode';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { type Cluster, clusterDown, clusterUp, killEtcd, killHost, startEtcd, startHost } from '../helpers/cluster.ts';
import { ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { until } from '../helpers/engine.ts';
import { type GitServer, startGitServer } from '../helpers/git-server.ts';
import { removeSwarmProject, runningTasks, type SwarmProject, swarmProject, swarmStack } from '../helpers/swarm.ts';

const SERVICES = { spread: 6, web: 1, reader: 1 };

describe('swarm back end: a lost host, a lost etcd member', function () {
  this.timeout(300_000);
  const name = uniqueProject('swf');
  const port = randomInt(20_000, 30_000);
  let cluster: Cluster;
  let server: GitServer;
  let p: SwarmProject;
  let manager: Docker;

  /** every task of the project that runs, as the manager sees it */
  const running = async () => {
    const all = await Promise.all(Object.keys(SERVICES).map((s) => runningTasks(manager, name, s)));
    return all.flat();
  };
  /** containers of the project running on any engine, whatever the manager thinks */
  const containers = async () => {
    const filters = { label: [`bosun.project=${name}`] };
    const lists = await Promise.all(cluster.engines.map((e) => e.listContainers({ filters }).catch(() => [])));
    return lists.flat();
  };

  before(async () => {
    await ensureTestImages();
    cluster = await clusterUp({ images: [IMAGE_V1] });
    manager = cluster.manager;
    server = await startGitServer();
    p = await swarmProject(cluster, server, name, swarmStack(name, { port }));
    const r = await p.cli(['reconcile']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  after(async () => {
    await removeSwarmProject(manager, name).catch(() => undefined);
    await server?.close();
    // BSW_KEEP=1 leaves the harness up between runs while working on these tests
    if (process.env.BSW_KEEP !== '1') await clusterDown();
  });

  it('moves the tasks of a lost host within 15 s, reports the node down, duplicates nothing on return', async () => {
    const lost = (await running()).filter((t) => t.node === 'bsw-h3');
    assert.ok(lost.length > 0, 'the swarm spread tasks onto bsw-h3');
    const t0 = Date.now();
    await killHost(3);
    await until(
      'every task running off bsw-h3',
      async () => {
        const now = await running();
        return now.length === 8 && now.every((t) => t.node !== 'bsw-h3');
      },
      15_000,
    );
    console.log(`      ${lost.length} task(s) of a lost host running elsewhere after ${Date.now() - t0} ms`);

    await until('bsw-h3 down', async () => (await manager.listNodes()).some((n) => n.Status?.State === 'down'), 15_000);
    const status = await p.cli(['status']);
    assert.equal(status.code, 0, status.stdout + status.stderr);
    assert.match(status.stdout, /drift: {5}none/);
    assert.match(
      status.stdout,
      /note: {6}node bsw-h3 \(10\.231\.0\.13\) is down; the swarm moved its tasks: .*spread\.\d → bsw-h[12]/,
    );
    const again = await p.cli(['reconcile']);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /no changes/);

    await startHost(3);
    await until(
      'bsw-h3 ready again',
      async () => (await manager.listNodes()).every((n) => n.Status?.State === 'ready'),
      60_000,
    );
    // the returned host's agent has had time to hear that its old tasks are gone
    await new Promise((r) => setTimeout(r, 5000));
    assert.equal((await running()).length, 8, 'no task runs twice');
    assert.equal((await containers()).length, 8, 'no stale container runs on the returned host');
    assert.doesNotMatch((await p.cli(['status'])).stdout, /is down/);
  });

  it('reconciles, locks and elects with one etcd member lost', async () => {
    await killEtcd(1);
    try {
      await p.push(swarmStack(name, { port, level: 'warn' }));
      // two at once: the second waits for the first's lock, then finds nothing to do
      const [a, b] = await Promise.all([p.cli(['reconcile']), p.cli(['reconcile'])]);
      assert.equal(a.code, 0, a.stdout + a.stderr);
      assert.equal(b.code, 0, b.stdout + b.stderr);
      const list = await p.releases();
      assert.deepEqual(
        list.map((x: { status: string }) => x.status),
        ['succeeded', 'succeeded'],
      );
      await electAndLock(cluster.etcdUrl, name);
    } finally {
      await startEtcd(1);
    }
  });
});

async function electAndLock(url: string, project: string): Promise<void> {
  const store: KvStore = await openStore(url);
  try {
    let leader = false;
    const election = store.coordination.election(project, 'cand-a', 5_000, (is) => {
      leader = is;
    });
    await election.start();
    await until('elected', async () => leader, 15_000);
    assert.equal(await election.leader(), 'cand-a');
    const lock = await store.coordination.lock(`/bsw-test/${project}/lock`, 'holder-a', {
      waitMs: 5_000,
      ttlMs: 5_000,
    });
    assert.equal(lock.holder, 'holder-a');
    await lock.release();
    await election.resign();
  } finally {
    await store.close();
  }
}
