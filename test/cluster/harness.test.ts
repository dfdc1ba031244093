/**
 * The cluster harness itself, on this machine's kernel: three engines in one swarm and a
 * 3-member etcd, a host lost as in a power cut and brought back, an etcd member lost. Later
 * suites (the Swarm back end) build on these guarantees, so they are proven here first.
 */
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { openStore } from '../../src/store/open.ts';
import { type Cluster, clusterDown, clusterUp, killEtcd, killHost, startEtcd, startHost } from '../helpers/cluster.ts';
import { docker, ensureTestImages, IMAGE_V1 } from '../helpers/docker.ts';
import { until } from '../helpers/engine.ts';

const SERVICE = 'bsw-harness-spread';

async function runningTasks(manager: Docker): Promise<{ node: string; id: string }[]> {
  const tasks = await manager.listTasks({ filters: { service: [SERVICE], 'desired-state': ['running'] } });
  return tasks.filter((t) => t.Status?.State === 'running').map((t) => ({ node: t.NodeID ?? '', id: t.ID ?? '' }));
}

async function nodeIds(manager: Docker): Promise<Map<string, { id: string; state: string }>> {
  const nodes = await manager.listNodes();
  return new Map(nodes.map((n) => [n.Description?.Hostname ?? '', { id: n.ID ?? '', state: n.Status?.State ?? '' }]));
}

describe('cluster harness: 3 engines, one swarm, 3-member etcd', function () {
  this.timeout(240_000);
  let cluster: Cluster;

  before(async () => {
    await ensureTestImages();
    await clusterDown();
    cluster = await clusterUp({ images: [IMAGE_V1] });
  });
  after(async () => {
    await clusterDown();
  });

  it('joins three ready nodes and leaves the main engine alone', async () => {
    const nodes = await nodeIds(cluster.manager);
    assert.deepEqual([...nodes.keys()].sort(), ['bsw-h1', 'bsw-h2', 'bsw-h3']);
    assert.ok([...nodes.values()].every((n) => n.state === 'ready'));
    const main = await docker.info();
    assert.equal(main.Swarm?.LocalNodeState, 'inactive', 'the main engine must not join the test swarm');
    for (const engine of cluster.engines) {
      assert.ok(
        (await engine.listImages()).some((i) => i.RepoTags?.includes(IMAGE_V1)),
        'image loaded on each host',
      );
    }
  });

  it('is idempotent: a second up changes nothing', async () => {
    const before = await nodeIds(cluster.manager);
    const again = await clusterUp({ images: [] });
    assert.deepEqual(again.dockerHosts, cluster.dockerHosts);
    assert.deepEqual(await nodeIds(cluster.manager), before);
  });

  it('moves the tasks of a host lost in a power cut, and duplicates nothing when it returns', async () => {
    await cluster.manager.createService({
      Name: SERVICE,
      TaskTemplate: {
        ContainerSpec: { Image: IMAGE_V1, Command: ['sleep', '3600'] },
        RestartPolicy: { Condition: 'any', Delay: 0 },
      },
      Mode: { Replicated: { Replicas: 6 } },
      EndpointSpec: { Mode: 'dnsrr' },
    });
    await until('6 running tasks', async () => (await runningTasks(cluster.manager)).length === 6, 60_000);
    const nodes = await nodeIds(cluster.manager);
    const h3 = nodes.get('bsw-h3')?.id;
    assert.ok(
      (await runningTasks(cluster.manager)).some((t) => t.node === h3),
      'spread puts tasks on h3',
    );

    const t0 = Date.now();
    await killHost(3);
    await until(
      '6 tasks running off the lost host',
      async () => (await runningTasks(cluster.manager)).filter((t) => t.node !== h3).length === 6,
      15_000,
    );
    const failoverMs = Date.now() - t0;
    console.log(`      failover of a lost host: ${failoverMs} ms (dispatcher heartbeat 1s, restart delay 0)`);
    await until(
      'h3 reported down',
      async () => (await nodeIds(cluster.manager)).get('bsw-h3')?.state === 'down',
      15_000,
    );

    await startHost(3);
    await until(
      'h3 ready again',
      async () => (await nodeIds(cluster.manager)).get('bsw-h3')?.state === 'ready',
      30_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    assert.equal((await runningTasks(cluster.manager)).length, 6, 'no task runs twice after the host returns');
    assert.equal((await cluster.engines[2].listContainers()).length, 0, 'the returned host runs no stale container');
    await cluster.manager.getService(SERVICE).remove();
  });

  it('keeps etcd serving reads and writes with one member lost', async () => {
    const store = await openStore(cluster.etcdUrl);
    try {
      await killEtcd(2);
      await store.put('/bsw-harness/k', 'v1');
      assert.equal((await store.get('/bsw-harness/k'))?.value, 'v1');
      await startEtcd(2);
      await store.delete('/bsw-harness/k');
    } finally {
      await store.close();
    }
  });
});

describe('cluster harness: the 3-manager variant', function () {
  this.timeout(120_000);
  after(async () => {
    await clusterDown();
  });

  it('joins every host as a manager, one of them the leader', async () => {
    await clusterDown();
    const cluster = await clusterUp({ managers: 3 });
    const nodes = await cluster.manager.listNodes();
    const roles = nodes.map((n) => n.ManagerStatus?.Reachability).sort();
    assert.deepEqual(roles, ['reachable', 'reachable', 'reachable']);
    assert.equal(nodes.filter((n) => n.ManagerStatus?.Leader).length, 1);
  });
});
