/**
 * `bosun serve --backend swarm` on the 3-engine harness: a push converges through serve's poll,
 * the published port's endpoint is in the harness etcd as on one host, and a host lost in a power
 * cut shows in /status (which node, which replicas moved where) and in metrics.
 */
import assert from 'node:assert/strict';
import { randomBytes, randomInt } from 'node:crypto';
import type Docker from 'dockerode';
import type { NodeDown } from '../../src/backends/backend.ts';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { type Cluster, clusterDown, clusterUp, killHost, startHost } from '../helpers/cluster.ts';
import { ensureTestImages, IMAGE_V1 } from '../helpers/docker.ts';
import { type GitServer, startGitServer } from '../helpers/git-server.ts';
import { getJson, metric, type ServeProcess, type ServeStatus, startServe, waitFor } from '../helpers/serve.ts';
import { removeSwarmProject, runningTasks, type SwarmProject, swarmProject, swarmStack } from '../helpers/swarm.ts';

type Status = ServeStatus & { nodesDown?: NodeDown[]; nodesError?: string };

describe('swarm back end: serve converges a push, publishes endpoints, reports a lost host', function () {
  this.timeout(300_000);
  const name = `s15b-sws-${randomBytes(3).toString('hex')}`;
  const port = randomInt(20_000, 30_000);
  let cluster: Cluster;
  let server: GitServer;
  let etcd: KvStore;
  let p: SwarmProject;
  let manager: Docker;
  let serve: ServeProcess | undefined;
  let killed = false;
  const status = async () => (await getJson<Status>(`${serve!.url}/status`)).body;

  before(async () => {
    await ensureTestImages();
    cluster = await clusterUp({ images: [IMAGE_V1] });
    manager = cluster.manager;
    server = await startGitServer();
    etcd = await openStore(cluster.etcdUrl);
    p = await swarmProject(cluster, server, name, swarmStack(name, { port }));
    serve = await startServe([...p.flags, '--poll', '*/2 * * * * *'], { BOSUN_WEBHOOK_SECRET: '' });
  });
  after(async () => {
    await serve?.stop();
    if (killed) await startHost(3).catch(() => undefined);
    await removeSwarmProject(manager, name).catch(() => undefined);
    for (const e of (await etcd?.list(`/bosun/${name}/`)) ?? []) await etcd.delete(e.key);
    await etcd?.close();
    await server?.close();
    // BSW_KEEP=1 leaves the harness up between runs while working on these tests
    if (process.env.BSW_KEEP !== '1') await clusterDown();
  });

  it('converges the first commit and a push through its poll, and publishes the port in etcd', async () => {
    const applied = (release: number) => async () => ((await status()).applied?.release === release ? true : undefined);
    await waitFor('release 1 applied', applied(1), 180_000, serve);
    const [web] = await runningTasks(manager, name, 'web');
    const ip = cluster.hostIps[Number(web!.node.slice(-1)) - 1];
    const endpoint = await waitFor(
      'the web endpoint in etcd',
      async () => (await etcd.list(`/bosun/${name}/endpoints/web/`))[0],
      30_000,
      serve,
    );
    assert.deepEqual(JSON.parse(endpoint.value), { ...JSON.parse(endpoint.value), host: ip, port });

    await p.push(swarmStack(name, { port, level: 'debug' }));
    await waitFor('release 2 applied', applied(2), 120_000, serve);
    const last = (await status()).lastAttempt;
    assert.equal(last?.trigger, 'poll');
    const [reader] = await runningTasks(manager, name, 'reader');
    const engine = cluster.engines[Number(reader!.node.slice(-1)) - 1]!;
    assert.ok((await engine.getContainer(reader!.containerId).inspect()).Config.Env.includes('LEVEL=debug'));
    assert.deepEqual((await status()).nodesDown, []);
  });

  it('after a power cut of a host, /status and metrics name it and where its replicas went', async () => {
    const tasks = async (service: string) =>
      (await runningTasks(manager, name, service))
        .filter((t) => t.node === 'bsw-h3')
        .map((t) => `${service}.${t.slot}`);
    const lost = [...(await tasks('spread')), ...(await tasks('web')), ...(await tasks('reader'))].sort();
    assert.ok(lost.length > 0, 'the swarm spread replicas onto bsw-h3');
    await killHost(3);
    killed = true;
    const down = await waitFor(
      'bsw-h3 down in /status with its replicas moved',
      async () => {
        const n = (await status()).nodesDown?.find((x) => x.node === 'bsw-h3');
        return n && n.state === 'down' && n.moved.length >= lost.length ? n : undefined;
      },
      60_000,
      serve,
    );
    assert.equal(down.addr, cluster.hostIps[2]);
    assert.deepEqual(down.moved.map((m) => m.task).sort(), lost);
    assert.ok(
      down.moved.every((m) => m.to === 'bsw-h1' || m.to === 'bsw-h2'),
      JSON.stringify(down.moved),
    );
    assert.equal(await metric(serve!, 'bosun_nodes_down', { project: name }), 1);
    assert.equal(await metric(serve!, 'bosun_tasks_moved', { project: name }), down.moved.length);
  });
});
