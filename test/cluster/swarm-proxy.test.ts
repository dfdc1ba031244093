/**
 * `bosun proxy` in front of a start-first rolling update on the 3-engine swarm: `bosun serve
 * --backend swarm` converges the push and publishes the tasks' endpoints in the harness etcd, the
 * proxy runs in the root namespace, and a client loop sends requests through its local port the
 * whole time: none may fail. Swarm stops a slot's old task the moment its successor runs, so the
 * app keeps serving for a moment after SIGTERM (as Kubernetes apps do with a preStop sleep) while
 * bosun publishes the successor and marks the old task draining.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import type { KvStore } from '../../src/ports.ts';
import { EtcdClient } from '../../src/store/etcd/kv.ts';
import { type PrefixWatch, watchPrefixes } from '../../src/store/etcd/watch.ts';
import { openStore } from '../../src/store/open.ts';
import { type Cluster, clusterDown, clusterUp } from '../helpers/cluster.ts';
import { ensureTestImages, IMAGE_V1, IMAGE_V2 } from '../helpers/docker.ts';
import { type GitServer, startGitServer } from '../helpers/git-server.ts';
import { clientLoop, expectNoLoss, freePort, get, type ProxyProcess, startProxy, stopProxy } from '../helpers/proxy.ts';
import { getJson, type ServeProcess, type ServeStatus, startServe, waitFor } from '../helpers/serve.ts';
import { removeSwarmProject, runningTasks, type SwarmProject, swarmProject } from '../helpers/swarm.ts';

/** On SIGTERM httpd goes on serving for 3 s (in-flight and late-routed requests), then stops. */
const GRACEFUL = `[sh, -c, "trap 'sleep 3; kill $!; exit 0' TERM; httpd -f -p 80 -h /www & wait"]`;

function stack(project: string, image: string): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'web.yaml': [
      'apiVersion: bosun/v1',
      'kind: Service',
      'metadata: { name: web }',
      'spec:',
      `  image: ${image}`,
      '  replicas: 2',
      `  command: ${GRACEFUL}`,
      // no fixed host port: a successor may start on the node its predecessor still holds
      '  ports: [ { container: 80 } ]',
      '  healthcheck: { cmd: [wget, -q, -O, /dev/null, http://127.0.0.1/], interval: 500ms, timeout: 10s, retries: 10 }',
      '  update: { order: start-first, parallelism: 1 }',
      '  stopGracePeriod: 10s',
      '',
    ].join('\n'),
  };
}

describe('swarm back end: a start-first rollout behind bosun proxy loses no request', function () {
  this.timeout(300_000);
  const name = `px15b-${randomBytes(3).toString('hex')}`;
  let cluster: Cluster;
  let manager: Docker;
  let server: GitServer;
  let etcd: KvStore;
  let tmp: string;
  let p: SwarmProject;
  let serve: ServeProcess | undefined;
  let proxy: ProxyProcess | undefined;
  let markers: PrefixWatch | undefined;

  before(async () => {
    await ensureTestImages();
    cluster = await clusterUp({ images: [IMAGE_V1, IMAGE_V2] });
    manager = cluster.manager;
    server = await startGitServer();
    etcd = await openStore(cluster.etcdUrl);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-swarm-proxy-'));
    p = await swarmProject(cluster, server, name, stack(name, IMAGE_V1));
    serve = await startServe([...p.flags, '--poll', '*/2 * * * * *'], { BOSUN_WEBHOOK_SECRET: '' });
  });
  after(async () => {
    await markers?.close();
    await stopProxy(proxy);
    await serve?.stop();
    await removeSwarmProject(manager, name).catch(() => undefined);
    for (const e of (await etcd?.list(`/bosun/${name}/`)) ?? []) await etcd.delete(e.key);
    await etcd?.close();
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
    if (process.env.BSW_KEEP !== '1') await clusterDown();
  });

  it('serves every request while both replicas are replaced, each old task drained', async () => {
    const applied = (release: number) => async () =>
      (await getJson<ServeStatus>(`${serve!.url}/status`)).body.applied?.release === release ? true : undefined;
    const endpointIds = async () =>
      (await etcd.list(`/bosun/${name}/endpoints/web/`)).map((e) => JSON.parse(e.value).id as string).sort();
    await waitFor('release 1 applied', applied(1), 180_000, serve);
    const v1 = await waitFor(
      '2 endpoints',
      async () => ((await endpointIds()).length === 2 ? endpointIds() : undefined),
      30_000,
      serve,
    );
    assert.deepEqual(v1, (await runningTasks(manager, name, 'web')).map((t) => t.id).sort(), 'endpoints are the tasks');

    const port = await freePort();
    proxy = await startProxy([
      '--state',
      cluster.etcdUrl,
      '--listen',
      `${name}/web=127.0.0.1:${port}`,
      '--mode',
      'http',
      '--run-dir',
      tmp,
    ]);
    assert.equal((await get(port)).trim(), `ok ${IMAGE_V1}`);
    // every task id marked draining during the rollout (markers are pruned once the task is gone)
    const drained = new Set<string>();
    const prefix = `/bosun/${name}/draining/`;
    assert.ok(etcd instanceof EtcdClient, 'the harness state is etcd');
    markers = await watchPrefixes(etcd, [prefix], {
      change: (keys) => {
        for (const k of keys.keys()) drained.add(k.slice(prefix.length));
      },
      trouble: () => undefined,
    });

    const loop = clientLoop(port, 2);
    await new Promise((r) => setTimeout(r, 1_000));
    await p.push(stack(name, IMAGE_V2));
    await waitFor('release 2 applied', applied(2), 180_000, serve);
    await expectNoLoss(loop, { port, proxy, serve, v1: IMAGE_V1, v2: IMAGE_V2 });
    assert.deepEqual([...drained].sort(), v1, 'each replaced task was marked draining');
    const v2 = await endpointIds();
    assert.equal(v2.length, 2);
    assert.ok(
      v2.every((id) => !v1.includes(id)),
      'the successors hold the slots',
    );
    await waitFor(
      'markers pruned',
      async () => ((await etcd.list(prefix)).length === 0 ? true : undefined),
      20_000,
      serve,
    );
  });
});
