/**
 * Issue 14's acceptance: one `bosun serve --all` for a cluster repo of 5 stacks, served over
 * HTTP, on the real Docker engine. A push changing one stack replaces only its containers and
 * records a release only for it (the others are not planned: metrics and logs say so); a push
 * breaking one stack's manifest leaves the other four converging; a declared order holds.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, projectContainers } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { getJson, githubPush, metric, post, startServe, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { brokenService, clusterFiles, type StackDef, stackDefs, stackFolder } from '../helpers/stacks.ts';

const SECRET = 'stacks-serve-secret';
const NO_POLL = '0 0 1 1 *';

interface StackRow {
  path: string;
  project: string | null;
  sync: string;
  applied: { revision: string; release: number } | null;
  lastPass: { trigger: string; reason: string; result: string; revision?: string } | null;
  error: { code: string; message: string } | null;
}

interface Status {
  mode: string;
  stacks: StackRow[];
  lastPass: { revision?: string; touched: string[]; untouched: number } | null;
  queue: { running: boolean; pending: boolean };
}

describe('bosun serve --all: a cluster repo of 5 stacks (docker + git over HTTP)', function () {
  this.timeout(240_000);
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let s: ServeProcess;
  const defs = stackDefs('ms-serve', 5);
  const d = (i: number) => defs[i] as StackDef;
  const ids = async () =>
    Object.fromEntries(await Promise.all(defs.map(async (x) => [x.folder, await containerIds(x.project)])));

  const status = async () => (await getJson<Status>(`${s.url}/status`)).body;
  const row = (st: Status, i: number) => st.stacks.find((r) => r.path === `stacks/${d(i).folder}`)!;
  /** the pass for `sha` is over and nothing is queued */
  const passDone = (sha: string) =>
    waitFor(
      `the pass at ${sha.slice(0, 12)}`,
      async () => {
        const st = await status();
        return st.lastPass?.revision === sha && !st.queue.running && !st.queue.pending ? st : undefined;
      },
      120_000,
      s,
    );
  const push = async (files: Record<string, string | null>) => {
    const sha = await repo.commit(files);
    const r = await post(s, 'github', githubPush(repo.url, 'main', sha, SECRET));
    assert.equal(r.code, 202);
    return passDone(sha);
  };
  const releaseTimes = async (project: string, n: number) => {
    const r = await bosun([
      'releases',
      'show',
      String(n),
      '--project',
      project,
      '-o',
      'json',
      '--state',
      `file:${tmp}/state`,
    ]);
    return JSON.parse(r.stdout) as { startedAt: string; finishedAt: string };
  };

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-ms-serve-'));
    await fs.writeFile(path.join(tmp, 'secret'), SECRET);
    // the proxy-like s0 goes first: s1 depends on it
    const layout = 'stacks:\n  - path: stacks/*\n  - path: stacks/s1\n    dependsOn: [stacks/s0]\n';
    repo = await server.createRepo(d(0).project, { ...clusterFiles(defs), 'bosun-stacks.yaml': layout });
    s = await startServe([
      '--all',
      ...['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`],
      ...['--poll', NO_POLL, '--webhook-secret-file', `${tmp}/secret`, '--webhook-providers', 'github'],
    ]);
  });
  after(async () => {
    await s?.stop('SIGKILL');
    for (const x of defs) await cleanupProject(x.project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('converges all 5 stacks at start-up, the declared dependency first', async () => {
    const st = await passDone(await repo.head());
    assert.equal(st.mode, 'stacks');
    assert.deepEqual(
      st.stacks.map((r) => [r.path, r.project, r.sync, r.applied?.release, r.lastPass?.reason]),
      defs.map((x) => [`stacks/${x.folder}`, x.project, 'synced', 1, 'start']),
    );
    const [r0, r1] = [await releaseTimes(d(0).project, 1), await releaseTimes(d(1).project, 1)];
    assert.ok(r1.startedAt >= r0.finishedAt, `s1 started ${r1.startedAt} before s0 finished ${r0.finishedAt}`);
  });

  it('a push changing one stack replaces only its containers and records a release only for it', async () => {
    const before = await ids();
    const st = await push(stackFolder(d(2), { rev: '2' }));
    const after = await ids();
    assert.notDeepEqual(after.s2, before.s2);
    for (const f of ['s0', 's1', 's3', 's4']) assert.deepEqual(after[f], before[f], f);
    assert.deepEqual(
      st.stacks.map((r) => r.applied?.release),
      [1, 1, 2, 1, 1],
    );
    assert.deepEqual(st.lastPass!.touched, ['stacks/s2']);
    assert.equal(st.lastPass!.untouched, 4);
    const passes = (stack: string, labels: Record<string, string> = {}) =>
      metric(s, 'bosun_stack_passes_total', { stack, trigger: 'webhook', ...labels });
    assert.equal(await passes('stacks/s2', { reason: 'changed', result: 'applied' }), 1);
    for (const f of ['s0', 's1', 's3', 's4']) {
      assert.equal(await passes(`stacks/${f}`), 0, `${f} was planned`);
      assert.equal(await metric(s, 'bosun_stack_untouched_total', { stack: `stacks/${f}` }), 1);
    }
    assert.ok(s.logs.some((l) => l.msg === 'webhook: 1 of 5 stack(s) to plan'));
  });

  it("a push breaking one stack's manifest leaves the other four converging on the next push", async () => {
    const broken = await push({ ...brokenService(d(3)), ...stackFolder(d(4), { rev: '2' }) });
    assert.equal(row(broken, 3).sync, 'invalid');
    assert.equal(row(broken, 3).error?.code, 'E_MANIFEST_INVALID');
    assert.match(row(broken, 3).error!.message, /stacks\/s3\/svc0.yaml:7:13 spec.replicas/);
    assert.equal(row(broken, 4).applied?.release, 2);
    const st = await push({ ...stackFolder(d(0), { rev: '2' }), ...stackFolder(d(1), { rev: '2' }) });
    assert.deepEqual(
      st.stacks.map((r) => [r.sync, r.applied?.release]),
      [
        ['synced', 2],
        ['synced', 2],
        ['synced', 2],
        ['invalid', 1],
        ['synced', 2],
      ],
    );
    // the broken stack is not planned again until something it is made of changes
    assert.deepEqual(st.lastPass!.touched, ['stacks/s0', 'stacks/s1']);
    const [r0, r1] = [await releaseTimes(d(0).project, 2), await releaseTimes(d(1).project, 2)];
    assert.ok(r1.startedAt >= r0.finishedAt, `s1 started ${r1.startedAt} before s0 finished ${r0.finishedAt}`);
  });

  it('drift in one stack is healed in that stack alone, on its own clock', async () => {
    const [victim] = await projectContainers(d(2).project);
    const others = await ids();
    await docker.getContainer(victim!.Id).remove({ force: true });
    await waitFor(
      'the drift heal of stacks/s2',
      async () =>
        (await metric(s, 'bosun_stack_passes_total', { stack: 'stacks/s2', trigger: 'drift', result: 'healed' })) >= 1
          ? true
          : undefined,
      60_000,
      s,
    );
    assert.equal((await projectContainers(d(2).project)).length, 1);
    const after = await ids();
    for (const f of ['s0', 's1', 's4']) assert.deepEqual(after[f], others[f], f);
    for (const f of ['s0', 's1', 's3', 's4'])
      assert.equal(await metric(s, 'bosun_stack_passes_total', { stack: `stacks/${f}`, trigger: 'drift' }), 0, f);
  });

  it('a deleted folder is reported, not taken down, without --prune-stacks', async () => {
    const gone = Object.fromEntries(Object.keys(stackFolder(d(4))).map((f) => [f, null]));
    const st = await push(gone);
    assert.equal(row(st, 4).sync, 'out-of-sync');
    assert.equal((await projectContainers(d(4).project)).length, 1);
    assert.ok(s.logs.some((l) => String(l.msg).includes(`stack stacks/s4 (project ${d(4).project}) left the repo`)));
  });
});
