/**
 * Two `bosun serve --all` processes for one cluster repo on a real etcd: one election for the
 * whole repo, so exactly one plans and applies while the other only answers /status; SIGKILL
 * the leader and the other takes over within the election's TTL and converges the next push.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { clusterElection, stackSetKey } from '../../src/stacks/record.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { getJson, githubPush, metric, post, startServe, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { clusterFiles, type StackDef, stackDefs, stackFolder } from '../helpers/stacks.ts';

const SECRET = 'stacks-leader-secret';
const NO_POLL = '0 0 1 1 *';

interface Status {
  leader: boolean;
  leaderName: string | null;
  stacks: { path: string; project: string | null; sync: string; applied: { release: number } | null }[];
  lastPass: { revision?: string; touched: string[] } | null;
  queue: { running: boolean; pending: boolean };
}

describe('bosun serve --all: two controllers of one cluster repo on etcd', function () {
  this.timeout(360_000);
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let kv: KvStore;
  const serves: ServeProcess[] = [];
  const defs = stackDefs('ms-lead', 2);
  const d = (i: number) => defs[i] as StackDef;
  /** the push delivered to the follower only */
  let missed = '';

  const status = async (s: ServeProcess) => (await getJson<Status>(`${s.url}/status`)).body;
  const alive = () => serves.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  const leaders = async () => {
    const all = await Promise.all(alive().map(async (s) => ({ s, st: await status(s) })));
    return all.filter((x) => x.st.leader).map((x) => x.s);
  };
  const releases = async (project: string) => {
    const r = await bosun(['releases', '--project', project, '-o', 'json', '--state', ETCD_URL]);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout) as { number: number; status: string }[];
    return list.sort((a, b) => a.number - b.number).map((x) => `${x.number} ${x.status}`);
  };
  /** `s` leads, its pass at `sha` is over and nothing is queued */
  const converged = (s: ServeProcess, sha: string) =>
    waitFor(
      `the pass at ${sha.slice(0, 12)}`,
      async () => {
        const st = await status(s);
        return st.leader && st.lastPass?.revision === sha && !st.queue.running && !st.queue.pending ? st : undefined;
      },
      120_000,
      s,
    );

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-ms-lead-'));
    await fs.writeFile(path.join(tmp, 'secret'), SECRET);
    repo = await server.createRepo(d(0).project, clusterFiles(defs));
    kv = await openStore(ETCD_URL);
  });
  after(async () => {
    for (const s of serves) await s.stop('SIGKILL');
    for (const x of defs) await cleanupProject(x.project);
    const prefixes = [...defs.map((x) => `/bosun/${x.project}/`), `/bosun/${clusterElection(repo.url, '')}/`];
    for (const prefix of prefixes) for (const e of await kv.list(prefix)) await kv.delete(e.key);
    await kv.delete(stackSetKey(repo.url, ''));
    await kv?.close();
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('elects one leader for the repo: it converges every stack, the other applies nothing', async () => {
    const started = await Promise.all(
      [0, 1].map((i) =>
        startServe([
          ...['--all', '--stacks', 'stacks/*', '--repo', repo.url, '--ref', 'main', '--state', ETCD_URL],
          ...['--cache-dir', `${tmp}/cache${i}`, '--poll', NO_POLL],
          ...['--webhook-secret-file', `${tmp}/secret`, '--webhook-providers', 'github'],
        ]),
      ),
    );
    serves.push(...started);
    const [leader] = await waitFor(
      'one leader',
      async () => ((await leaders()).length === 1 ? leaders() : undefined),
      20_000,
    );
    const follower = serves.find((s) => s !== leader)!;
    const st = await converged(leader!, await repo.head());
    assert.deepEqual(
      st.stacks.map((r) => [r.project, r.sync, r.applied?.release]),
      defs.map((x) => [x.project, 'synced', 1]),
    );
    // a push delivered to the follower is accepted and left to the leader
    missed = await repo.commit(stackFolder(d(0), { rev: 'f' }));
    assert.equal((await post(follower, 'github', githubPush(repo.url, 'main', missed, SECRET))).code, 202);
    await waitFor(
      'the follower to turn the push down',
      async () =>
        (await metric(follower, 'bosun_reconciles_total', { trigger: 'webhook', result: 'not-leader' })) > 0
          ? true
          : undefined,
      20_000,
      follower,
    );
    const fst = await status(follower);
    assert.equal(fst.leader, false);
    assert.equal(fst.leaderName, (await status(leader!)).leaderName);
    assert.equal(await metric(follower, 'bosun_stack_passes_total'), 0, 'the follower planned a stack');
    assert.match(await (await fetch(`${follower.url}/ui/`)).text(), /id="role">follower</);
    for (const x of defs) assert.deepEqual(await releases(x.project), ['1 succeeded'], x.project);
  });

  it('SIGKILL the leader: the other takes over and converges the next push, one stack only', async () => {
    const [old] = await leaders();
    const survivor = serves.find((s) => s !== old)!;
    await old!.stop('SIGKILL');
    const killed = Date.now();
    await waitFor(
      'the survivor to lead',
      async () => ((await status(survivor)).leader ? true : undefined),
      30_000,
      survivor,
    );
    console.log(`      the survivor led ${Date.now() - killed} ms after SIGKILL of the leader`);
    // elected, it plans every stack once: the push only the follower heard is applied now
    await converged(survivor, missed);
    assert.deepEqual(await releases(d(0).project), ['1 succeeded', '2 succeeded']);
    assert.deepEqual(await releases(d(1).project), ['1 succeeded']);
    const before = await containerIds(d(1).project);
    const sha = await repo.commit(stackFolder(d(1), { rev: '2' }));
    assert.equal((await post(survivor, 'github', githubPush(repo.url, 'main', sha, SECRET))).code, 202);
    const st = await converged(survivor, sha);
    assert.deepEqual(st.lastPass?.touched, ['stacks/s1']);
    assert.notDeepEqual(await containerIds(d(1).project), before);
    assert.deepEqual(await releases(d(0).project), ['1 succeeded', '2 succeeded']);
    assert.deepEqual(await releases(d(1).project), ['1 succeeded', '2 succeeded']);
    assert.deepEqual(
      st.stacks.map((r) => [r.project, r.sync, r.applied?.release]),
      defs.map((x) => [x.project, 'synced', 2]),
    );
  });
});
