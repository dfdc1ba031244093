/**
 * The Swarm back end on the 3-engine harness, through the CLI: a dry run that changes nothing, a
 * stack converged across the nodes, a change that touches one service only, and a broken version
 * that rolls the whole stack back.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import type Docker from 'dockerode';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { type Cluster, clusterDown, clusterUp } from '../helpers/cluster.ts';
import { ensureTestImages, IMAGE_V1, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { type GitServer, startGitServer } from '../helpers/git-server.ts';
import {
  projectServices,
  removeSwarmProject,
  runningTasks,
  type SwarmProject,
  swarmProject,
  swarmStack,
} from '../helpers/swarm.ts';

describe('swarm back end: converge, change one service, roll the stack back', function () {
  this.timeout(300_000);
  const name = uniqueProject('sw');
  const port = randomInt(20_000, 30_000);
  let cluster: Cluster;
  let server: GitServer;
  let etcd: KvStore;
  let p: SwarmProject;
  let manager: Docker;
  const ids = async (service: string) => (await runningTasks(manager, name, service)).map((t) => t.id);

  before(async () => {
    await ensureTestImages();
    cluster = await clusterUp({ images: [IMAGE_V1, IMAGE_V2] });
    manager = cluster.manager;
    server = await startGitServer();
    etcd = await openStore(cluster.etcdUrl);
    p = await swarmProject(cluster, server, name, swarmStack(name, { port }));
  });
  after(async () => {
    await removeSwarmProject(manager, name).catch(() => undefined);
    await etcd?.close();
    await server?.close();
    // BSW_KEEP=1 leaves the harness up between runs while working on these tests
    if (process.env.BSW_KEEP !== '1') await clusterDown();
  });

  it('dry run shows the three services and creates nothing', async () => {
    const r = await p.cli(['reconcile', '--dry-run']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const creates = r.stdout.split('\n').filter((l) => l.includes('+ create service'));
    assert.deepEqual(creates.map((l) => l.trim().split(' — ')[0]).sort(), [
      `+ create service ${name}_reader (${IMAGE_V1} × 1)`,
      `+ create service ${name}_spread (${IMAGE_V1} × 6)`,
      `+ create service ${name}_web (${IMAGE_V1} × 1, port ${port}:80/tcp on its node)`,
    ]);
    assert.match(r.stdout, new RegExp(`\\+ put key /${name}/app/LEVEL = "info"`));
    assert.deepEqual(await projectServices(manager, name), []);
    assert.equal(await etcd.get(`/${name}/app/LEVEL`), undefined);
    assert.deepEqual(await p.releases(), []);
  });

  it('converges: 6 replicas over the 3 nodes, the port answers, the Config is in the env', async () => {
    const t0 = Date.now();
    const r = await p.cli(['reconcile']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    console.log(`      converge of 3 services (8 tasks) on 3 nodes: ${Date.now() - t0} ms`);
    assert.match(r.stdout, /spread\.\d on node bsw-h\d: running/);
    const spread = await runningTasks(manager, name, 'spread');
    assert.equal(spread.length, 6);
    assert.deepEqual([...new Set(spread.map((t) => t.node))].sort(), ['bsw-h1', 'bsw-h2', 'bsw-h3']);
    const [web] = await runningTasks(manager, name, 'web');
    const ip = cluster.hostIps[Number(web.node.slice(-1)) - 1];
    assert.equal(await (await fetch(`http://${ip}:${port}/`)).text(), 'ok\n');
    const [reader] = await runningTasks(manager, name, 'reader');
    const engine = cluster.engines[Number(reader.node.slice(-1)) - 1];
    const env = (await engine.getContainer(reader.containerId).inspect()).Config.Env;
    assert.ok(env.includes('LEVEL=info'), env.join(' '));
    assert.equal((await etcd.get(`/${name}/app/LEVEL`))?.value, 'info');
    const again = await p.cli(['reconcile']);
    assert.match(again.stdout, /no changes/);
  });

  it('a changed Config updates only the service reading it', async () => {
    const before = { spread: await ids('spread'), web: await ids('web'), reader: await ids('reader') };
    await p.push(swarmStack(name, { port, level: 'debug' }));
    const r = await p.cli(['reconcile']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const updates = r.stdout.split('\n').filter((l) => /^\s*~ update service/.test(l));
    assert.equal(updates.length, 2, r.stdout); // once in the plan, once applied
    assert.ok(updates.every((l) => l.includes(`${name}_reader`)));
    assert.deepEqual(await ids('spread'), before.spread);
    assert.deepEqual(await ids('web'), before.web);
    const reader = await ids('reader');
    assert.equal(reader.length, 1);
    assert.notDeepEqual(reader, before.reader);
  });

  it('a service changed by hand is drift, set back by the next reconcile', async () => {
    const svc = manager.getService(`${name}_reader`);
    const spec = await svc.inspect();
    const task = spec.Spec.TaskTemplate.ContainerSpec;
    await svc.update({
      ...spec.Spec,
      version: spec.Version.Index,
      TaskTemplate: { ...spec.Spec.TaskTemplate, ContainerSpec: { ...task, Env: [...task.Env, 'HAND=1'] } },
    });
    const status = await p.cli(['status']);
    assert.match(status.stdout, new RegExp(`update-service ${name}_reader: drift: env changed by hand`));
    const r = await p.cli(['reconcile']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const env = (await svc.inspect()).Spec.TaskTemplate.ContainerSpec.Env as string[];
    assert.deepEqual(env, ['LEVEL=debug']);
  });

  it('a broken version rolls the whole stack back and exits non-zero', async () => {
    const spreadBefore = await runningTasks(manager, name, 'spread');
    await p.push(swarmStack(name, { port, level: 'debug', spreadImage: IMAGE_V2, brokenWeb: true }));
    const r = await p.cli(['reconcile']);
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    const list = await p.releases();
    assert.deepEqual(
      list.map((x) => x.status),
      // converge, the Config change, the drift repair, the broken version
      ['succeeded', 'succeeded', 'succeeded', 'rolled-back'],
    );
    const services = await manager.listServices({ filters: { label: [`bosun.project=${name}`] } });
    const images = Object.fromEntries(
      services.map((s) => [
        s.Spec?.Name,
        (s.Spec?.TaskTemplate as Docker.ContainerTaskSpec | undefined)?.ContainerSpec?.Labels?.['bosun.image'],
      ]),
    );
    assert.equal(images[`${name}_spread`], IMAGE_V1, 'spread is back on the previous release');
    const [web] = await runningTasks(manager, name, 'web');
    const ip = cluster.hostIps[Number(web.node.slice(-1)) - 1];
    assert.equal(await (await fetch(`http://${ip}:${port}/`)).text(), 'ok\n');
    assert.equal((await runningTasks(manager, name, 'spread')).length, spreadBefore.length);
  });
});
