/**
 * Readiness is seen through the engine's event stream, not by inspecting every 100 ms: a
 * container that runs is answered by one inspect, and one that becomes healthy seconds later
 * is looked at again when its events say so (and at most every second as a safety net).
 */
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { watchContainer } from '../../src/backends/docker/events.ts';
import { monitorReady, waitReady } from '../../src/backends/docker/wait-ready.ts';
import { cleanupProject, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';

/** The engine client, with its container inspects counted. */
function counting(): { client: Docker; inspects: () => number } {
  let n = 0;
  const client = new Proxy(docker, {
    get(target, prop, receiver) {
      if (prop !== 'getContainer') return Reflect.get(target, prop, receiver);
      return (id: string) => {
        const c = target.getContainer(id);
        const inspect = c.inspect.bind(c);
        return Object.assign(c, { inspect: () => (n++, inspect()) });
      };
    },
  });
  return { client, inspects: () => n };
}

describe('waiting for a container through the event stream (fast-cli)', function () {
  this.timeout(120_000);
  const project = uniqueProject('fast-cli-ready');

  before(ensureTestImages);
  after(() => cleanupProject(project));

  async function started(name: string, cmd: string[], healthcheck?: object): Promise<string> {
    const c = await docker.createContainer({
      name: `${project}-${name}`,
      Image: IMAGE_V1,
      Cmd: cmd,
      Labels: { 'bosun.project': project },
      Healthcheck: healthcheck,
    });
    await c.start();
    return c.id;
  }

  it('a running container without a healthcheck: one inspect', async () => {
    const id = await started('plain', ['sleep', '300']);
    const { client, inspects } = counting();
    await waitReady(client, id, 30_000);
    assert.equal(inspects(), 1);
  });

  it('healthy after ~3 s: answered on its health_status event, a handful of inspects instead of ~30', async () => {
    const health = { Test: ['CMD', 'test', '-f', '/tmp/ok'], Interval: 500e6, StartPeriod: 0, Retries: 30 };
    const id = await started('healthy', ['sh', '-c', 'sleep 3; touch /tmp/ok; sleep 300'], health);
    const { client, inspects } = counting();
    const t0 = Date.now();
    await waitReady(client, id, 60_000);
    const info = await docker.getContainer(id).inspect();
    assert.equal(info.State.Health?.Status, 'healthy');
    // 100 ms polling made one inspect per 100 ms; events: the first, the replayed start, the
    // health_status, and one per second of safety net
    const seconds = (Date.now() - t0) / 1000;
    assert.ok(inspects() <= 3 + Math.ceil(seconds), `${inspects()} inspects in ${seconds.toFixed(1)} s`);
  });

  it('a container that exits while starting is reported at once, with its exit code', async () => {
    const health = { Test: ['CMD', 'true'], Interval: 30_000e6, StartPeriod: 0, Retries: 3 };
    const id = await started('exits', ['sh', '-c', 'sleep 1; exit 3'], health);
    await assert.rejects(waitReady(docker, id, 60_000), /exited with code 3/);
  });

  it("the watch hears the container's own events, replayed from its creation", async () => {
    const c = await docker.createContainer({
      name: `${project}-watched`,
      Image: IMAGE_V1,
      Cmd: ['sh', '-c', 'sleep 1; exit 0'],
      Labels: { 'bosun.project': project },
    });
    const info = await c.inspect();
    await c.start(); // before the watch opens: its start is replayed
    const watch = await watchContainer(docker, c.id, Date.parse(info.Created));
    try {
      assert.equal(await watch.next(30_000), 'event'); // start
      assert.equal(await watch.next(30_000), 'event'); // die, a second later
      assert.equal(watch.lastExitCode(), 0);
    } finally {
      watch.close();
    }
  });

  it('a container the engine already restarted is named with the exit code of its death, not its new 0', async () => {
    const c = await docker.createContainer({
      name: `${project}-restarts`,
      Image: IMAGE_V1,
      Cmd: ['sh', '-c', 'sleep 5; exit 3'],
      Labels: { 'bosun.project': project },
      HostConfig: { RestartPolicy: { Name: 'always' } },
    });
    await c.start();
    // running again: a container being restarted says Running too, with Restarting and its exit code
    const rerun = (i: Docker.ContainerInspectInfo) => i.RestartCount > 0 && i.State.Running && !i.State.Restarting;
    for (let info = await c.inspect(); !rerun(info); info = await c.inspect()) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal((await c.inspect()).State.ExitCode, 0, 'the engine no longer says how it died');
    await assert.rejects(waitReady(docker, c.id, 30_000), /restarted after exiting with code 3/);
  });

  it('the monitor window fails when the container dies during it', async () => {
    const id = await started('dies', ['sh', '-c', 'sleep 1; exit 4']);
    await assert.rejects(monitorReady(docker, id, 20_000), /exited with code 4 during its 20s monitor period/);
  });
});
