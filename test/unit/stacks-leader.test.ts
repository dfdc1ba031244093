/**
 * The cluster repo's runner under leader election (fakes: MemoryKv, ScriptedBackend): a follower
 * turns every batch down without fetching; a newly elected leader starts from the stack set the
 * last leader recorded and plans every stack once. And the stack list page, rendered from plain
 * objects.
 */
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { Registry } from 'prom-client';
import { ServerMetrics } from '../../src/server/metrics.ts';
import { StackBoard, type StackView } from '../../src/server/stacks/board.ts';
import { StackMetrics } from '../../src/server/stacks/metrics.ts';
import { clusterStackListPage } from '../../src/server/stacks/page-stacks.ts';
import { mergeStackBatches, StackRunner, type StackRunnerDeps } from '../../src/server/stacks/runner.ts';
import { Session } from '../../src/session/session.ts';
import { writeStackSet } from '../../src/stacks/record.ts';
import { RecordSealer } from '../../src/trust/sealer.ts';
import { deriveStateKey } from '../../src/trust/state-key.ts';
import { revision } from '../fakes/cluster-revision.ts';
import { MemoryKv } from '../fakes/memory-store.ts';
import { ScriptedBackend } from '../fakes/scripted-backend.ts';

const sealer = new RecordSealer(deriveStateKey(Buffer.alloc(32, 7)));
const project = (name: string) => `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${name}\n`;
const service = (image: string) =>
  `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  image: ${image}\n`;
const FILES = {
  'stacks/a/bosun.yaml': project('a'),
  'stacks/a/app.yaml': service('app:1'),
  'stacks/b/bosun.yaml': project('b'),
  'stacks/b/app.yaml': service('app:1'),
};
const where = { repo: 'http://git.test/cluster.git', root: '' };

function setup() {
  const kv = new MemoryKv();
  const backend = new ScriptedBackend();
  const sessions = new Map<string, Session>();
  const root = revision(1, FILES);
  const w = { leader: false, fetches: 0 };
  const deps: StackRunnerDeps = {
    isLeader: () => w.leader,
    fetchRoot: async () => {
      w.fetches++;
      return root;
    },
    globs: ['stacks/*'],
    concurrency: 2,
    board: new StackBoard(),
    sessionFor: (path) => {
      if (!sessions.has(path)) {
        const source = { repo: root.repo, path, cacheDir: '/nonexistent' };
        sessions.set(path, new Session({ kv, sealer, backend, source, lockWaitMs: 20 }));
      }
      return sessions.get(path)!;
    },
    log: pino({ level: 'silent' }),
    metrics: new StackMetrics(new Registry()),
    retryLater: () => undefined,
    kv,
    sealer,
    where,
    prune: false,
    serverMetrics: new ServerMetrics(),
    afterRun: () => undefined,
  };
  return { w, kv, deps, runner: new StackRunner(deps) };
}

describe('stacks: one leader for the cluster repo (fakes)', () => {
  it('a follower turns every batch down: no fetch, no stack planned, counted as not-leader', async () => {
    const { w, deps, runner } = setup();
    await runner.run({ reconcile: 'webhook', heal: ['stacks/a'] });
    assert.equal(w.fetches, 0);
    assert.equal(deps.board.entries.size, 0);
    const text = await deps.serverMetrics.text();
    assert.match(text.body, /bosun_reconciles_total\{trigger="webhook",result="not-leader"\} 1/);
  });

  it('an elected leader starts from the recorded stack set and plans every stack once', async () => {
    const { w, kv, deps, runner } = setup();
    w.leader = true;
    await runner.run({ reconcile: 'poll', heal: [] });
    assert.deepEqual(runner.last?.touched, ['stacks/a', 'stacks/b']);
    await runner.run({ reconcile: 'poll', heal: [] });
    assert.deepEqual(runner.last?.touched, [], 'nothing changed: nothing planned');
    // meanwhile another leader took b's folder away and recorded it; this board still knows b
    const both = [
      { path: 'stacks/a', project: 'a' },
      { path: 'stacks/b', project: 'b' },
    ];
    await writeStackSet(kv, sealer, where, both, [{ path: 'stacks/a', project: 'a' }]);
    deps.board.get('stacks/zz').project = 'zz';
    await runner.run({ reconcile: 'poll', heal: [], elected: true });
    assert.deepEqual(runner.last?.touched, ['stacks/a', 'stacks/b']);
    assert.deepEqual(runner.last?.gone, [], 'a stack only the old board knew is not reported gone');
    assert.deepEqual(
      [...deps.board.entries.values()].map((e) => [e.path, e.lastPass?.reason]),
      [
        ['stacks/a', 'start'],
        ['stacks/b', 'start'],
      ],
    );
  });

  it('merging batches keeps an election', () => {
    assert.deepEqual(mergeStackBatches({ heal: ['a'], elected: true }, { reconcile: 'webhook', heal: ['b'] }), {
      reconcile: 'webhook',
      heal: ['a', 'b'],
      elected: true,
    });
    assert.deepEqual(mergeStackBatches({ heal: [] }, { reconcile: 'poll', heal: [] }), { reconcile: 'poll', heal: [] });
  });
});

describe('stacks: the dashboard stack list page', () => {
  const row = (o: Partial<StackView>): StackView => ({
    path: 'stacks/a',
    project: 'a',
    sync: 'synced',
    dependsOn: [],
    applied: null,
    lastPass: null,
    error: null,
    ...o,
  });
  const c = { repo: 'http://git.test/cluster.git', ref: 'main', leader: true, leaderName: 'h:1', draining: false };

  it('lists every stack with links to its overview and releases; text from the repo is escaped', () => {
    const page = clusterStackListPage(
      [
        row({ applied: { revision: 'f'.repeat(40), release: 3 } }),
        row({
          path: 'stacks/<b>',
          project: null,
          sync: 'invalid',
          error: { code: 'E_MANIFEST_INVALID', message: '<script>alert(1)</script>' },
        }),
      ],
      c,
      { mode: 'read-only' },
    ).text;
    assert.match(page, /<tr data-stack="stacks\/a">/);
    assert.match(page, /href="\/ui\/s\/a\/releases\/3">#3<\/a>/);
    assert.match(page, /href="\/ui\/s\/a\/releases">releases<\/a>/);
    assert.match(page, /data-sync="invalid">invalid</);
    assert.match(page, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
    assert.doesNotMatch(page, /<script>alert/);
    assert.match(page, /<tr data-stack="stacks\/&lt;b&gt;">/);
    assert.match(page, /id="role">leader</);
  });

  it('a follower says so, with who leads', () => {
    const page = clusterStackListPage([], { ...c, leader: false, leaderName: 'other:42' }, { mode: 'read-only' }).text;
    assert.match(page, /id="role">follower<\/span> <span class="muted">\(leader: other:42\)/);
    assert.match(page, /only the leader plans and applies/);
  });
});
