import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
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
import { startGitServer, type GitServer } from '../helpers/git-server.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
type Variant = 'ok' | 'crash' | 'unhealthy';

/** One service manifest; `variant` decides whether its new version can ever pass the health gate. */
function svc(
  name: string,
  o: { image?: string; variant?: Variant; replicas?: number; dependsOn?: string[]; order?: string; onFailure?: string },
): string {
  const command = o.variant === 'crash' ? '[sh, -c, "echo boom; exit 3"]' : IDLE;
  const probe = o.variant === 'unhealthy' ? '[sh, -c, "echo probe-says-no; exit 1"]' : '[test, -f, /VERSION]';
  return [
    'apiVersion: bosun/v1',
    'kind: Service',
    `metadata: { name: ${name} }`,
    'spec:',
    `  image: ${o.image ?? IMAGE_V1}`,
    `  replicas: ${o.replicas ?? 1}`,
    `  command: ${command}`,
    // timeout 5s: a probe slowed by a loaded machine is not the failure these tests are about
    `  healthcheck: { cmd: ${probe}, interval: 200ms, timeout: 5s, retries: 2 }`,
    `  dependsOn: [${(o.dependsOn ?? []).join(', ')}]`,
    `  update: { order: ${o.order ?? 'start-first'}, parallelism: 1, failureAction: ${o.onFailure ?? 'rollback'} }`,
    '  stopGracePeriod: 1s',
    '',
  ].join('\n');
}

function project(name: string, services: string[]): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${name} }\n`,
    'services.yaml': services.join('---\n'),
  };
}

describe('safe rollouts (real dockerd)', function () {
  this.timeout(180_000);
  let server: GitServer;
  let tmp: string;
  const projects: string[] = [];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-rollout-'));
  });
  after(async () => {
    for (const p of projects) await cleanupProject(p);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  async function setup(prefix: string, services: string[]) {
    const name = uniqueProject(prefix);
    projects.push(name);
    const repo = await server.createRepo(name, project(name, services));
    const flags = ['--repo', repo.url, '--state', `file:${tmp}/${name}`, '--cache-dir', `${tmp}/cache-${name}`];
    const first = await bosun(['reconcile', ...flags]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const push = (svcs: string[]) => repo.commit(project(name, svcs));
    const releases = async () =>
      JSON.parse((await bosun(['releases', ...flags, '-o', 'json'])).stdout) as {
        number: number;
        status: string;
        error?: { message: string };
        trigger: string;
      }[];
    return { name, repo, flags, push, releases };
  }

  for (const order of ['start-first', 'stop-first']) {
    it(`a version that exits at start is rolled back (${order})`, async () => {
      const s = await setup('crash', [svc('web', { replicas: 2, order })]);
      const before = await containerIds(s.name);
      await s.push([svc('web', { replicas: 2, order, image: IMAGE_V2, variant: 'crash' })]);
      const r = await bosun(['reconcile', ...s.flags]);
      assert.equal(r.code, 1, r.stdout);
      assert.match(
        r.stderr,
        /error: release 2 rolled back to release 1: .*web-1.* (exited with code 3|restarted after exiting with code 3)/,
      );
      const after = await containerIds(s.name);
      if (order === 'start-first') assert.deepEqual(after, before, 'start-first keeps the very same containers');
      for (const c of await docker.listContainers({ filters: { label: [`bosun.project=${s.name}`] } }))
        assert.equal(c.Image, IMAGE_V1);
      assert.equal(after.web.length, 2);
      const list = await s.releases();
      assert.deepEqual(
        list.map((x) => x.status),
        ['succeeded', 'rolled-back'],
      );
    });
  }

  it('failureAction pause leaves the stack as it is, exits 1 and records the pause', async () => {
    const s = await setup('pause', [svc('web', { order: 'stop-first', onFailure: 'pause' })]);
    await s.push([svc('web', { order: 'stop-first', onFailure: 'pause', image: IMAGE_V2, variant: 'crash' })]);
    const r = await bosun(['reconcile', ...s.flags]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /release 2 failed \(failureAction pause: the stack is left as it is\)/);
    const list = await s.releases();
    assert.equal(list[1].status, 'failed');
    const images = (await docker.listContainers({ all: true, filters: { label: [`bosun.project=${s.name}`] } })).map(
      (c) => c.Image,
    );
    assert.deepEqual(images, [IMAGE_V2], 'the failed new container is left for inspection, not rolled back');
  });

  it('a version that never turns healthy is rolled back with the healthcheck output in the error', async () => {
    const s = await setup('sick', [svc('web', {})]);
    const before = await containerIds(s.name);
    await s.push([svc('web', { image: IMAGE_V2, variant: 'unhealthy' })]);
    const r = await bosun(['reconcile', ...s.flags]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rolled back to release 1: .*unhealthy; last healthcheck exited 1: probe-says-no/);
    assert.deepEqual(await containerIds(s.name), before);
    assert.equal((await s.releases())[1].status, 'rolled-back');
  });

  it('in a chain c → b → a, a failure in b rolls a back and never touches c', async () => {
    const chain = (v: string, bad: boolean) => [
      svc('a', { image: v }),
      svc('b', { image: v, dependsOn: ['a'], variant: bad ? 'crash' : 'ok', order: 'stop-first' }),
      svc('c', { image: v, dependsOn: ['b'] }),
    ];
    const s = await setup('chain', chain(IMAGE_V1, false));
    const before = await containerIds(s.name);
    await s.push(chain(IMAGE_V2, true));
    const r = await bosun(['reconcile', ...s.flags]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /-b-1 .* code 3.*; not started: c \(they come after b\)/);
    const after = await containerIds(s.name);
    assert.deepEqual(after.c, before.c, 'c was never touched');
    assert.deepEqual(after.a, before.a, 'a is back on its old container (start-first)');
    const images = await docker.listContainers({ filters: { label: [`bosun.project=${s.name}`] } });
    assert.ok(
      images.every((c) => c.Image === IMAGE_V1),
      images.map((c) => `${c.Names[0]}=${c.Image}`).join(' '),
    );
  });

  it('a start-first rolling update never drops below 3 healthy replicas (sampled every 100 ms)', async () => {
    const s = await setup('rolling', [svc('web', { replicas: 3 })]);
    await s.push([svc('web', { replicas: 3, image: IMAGE_V2 })]);
    let min = Infinity;
    let samples = 0;
    let done = false;
    const sampler = (async () => {
      while (!done) {
        const list = await docker.listContainers({ filters: { label: [`bosun.project=${s.name}`] } });
        min = Math.min(min, list.filter((c) => c.Status.includes('(healthy)')).length);
        samples++;
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const r = await bosun(['reconcile', ...s.flags]);
    done = true;
    await sampler;
    assert.equal(r.code, 0, r.stderr);
    console.log(`      rolling update: ${samples} samples, never fewer than ${min} healthy replicas`);
    assert.ok(samples >= 5, `only ${samples} samples`);
    assert.ok(min >= 3, `saw only ${min} healthy replicas`);
    const after = await docker.listContainers({ filters: { label: [`bosun.project=${s.name}`] } });
    assert.deepEqual(
      after.map((c) => c.Names[0]).sort(),
      [1, 2, 3].map((i) => `/${s.name}-web-${i}`),
    );
    assert.ok(after.every((c) => c.Image === IMAGE_V2));
  });

  it('rollback N pins the stack: a push does not move it until resume', async () => {
    const s = await setup('pin', [svc('web', {})]);
    await s.push([svc('web', { image: IMAGE_V2 })]);
    assert.equal((await bosun(['reconcile', ...s.flags])).code, 0);
    const rb = await bosun(['rollback', '1', ...s.flags]);
    assert.equal(rb.code, 0, rb.stderr);
    assert.match(rb.stdout, /release 3 succeeded.*\n.*pinned .* at release 3/);
    const imageNow = async () =>
      (await docker.listContainers({ filters: { label: [`bosun.project=${s.name}`] } })).map((c) => c.Image);
    assert.deepEqual(await imageNow(), [IMAGE_V1]);
    await s.push([svc('web', { image: IMAGE_V2, replicas: 2 })]);
    const blocked = await bosun(['reconcile', ...s.flags]);
    assert.equal(blocked.code, 0);
    assert.match(blocked.stdout, /pinned at release 3 .*nothing applied/);
    assert.deepEqual(await imageNow(), [IMAGE_V1]);
    const status = await bosun(['status', ...s.flags]);
    assert.match(status.stdout, /pinned: {4}at release 3/);
    assert.match(status.stdout, /git: .*1 to create, 1 to replace/);
    const resumed = await bosun(['resume', ...s.flags]);
    assert.equal(resumed.code, 0, resumed.stderr);
    assert.deepEqual(await imageNow(), [IMAGE_V2, IMAGE_V2]);
    assert.deepEqual(
      (await s.releases()).map((x) => x.trigger),
      ['cli', 'cli', 'rollback', 'cli'],
    );
  });

  it('applies a saved plan exactly, and refuses a stale one', async () => {
    const s = await setup('saved', [svc('web', {})]);
    await s.push([svc('web', { image: IMAGE_V2 })]);
    const planFile = path.join(tmp, `${s.name}.plan.json`);
    assert.equal((await bosun(['reconcile', ...s.flags, '--dry-run', '--out', planFile])).code, 0);
    const victim = (await containerIds(s.name)).web[0].split(':')[1];
    await docker.getContainer(victim).stop({ t: 0 });
    const refused = await bosun(['apply', planFile, ...s.flags]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /saved plan is stale .*containers or keys changed/);
    assert.equal((await s.releases()).length, 1);
    assert.equal((await bosun(['reconcile', ...s.flags, '--dry-run', '--out', planFile])).code, 0);
    const ok = await bosun(['apply', planFile, ...s.flags]);
    assert.equal(ok.code, 0, ok.stderr);
    await s.push([svc('web', { image: IMAGE_V1 })]);
    assert.equal((await bosun(['reconcile', ...s.flags, '--dry-run', '--out', planFile])).code, 0);
    await s.push([svc('web', { image: IMAGE_V2, replicas: 2 })]);
    const moved = await bosun(['apply', planFile, ...s.flags]);
    assert.equal(moved.code, 1);
    assert.match(moved.stderr, /stale .*HEAD of .* moved from [0-9a-f]{12} to [0-9a-f]{12}/);
  });
});
