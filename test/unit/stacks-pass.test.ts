/**
 * A cluster pass on fakes (MemoryKv, one ScriptedBackend per stack): an invalid manifest, a held
 * lock and a failed rollout each stay in their stack; the next pass plans only what changed or
 * may pass by itself. Deterministic, beside the real-engine tests in stacks-serve.
 */
import { strict as assert } from 'node:assert';
import pino from 'pino';
import { Registry } from 'prom-client';
import { acquireApplyLock } from '../../src/coord/lock.ts';
import { BosunError } from '../../src/errors.ts';
import { StackBoard, stackList } from '../../src/server/stacks/board.ts';
import { StackMetrics } from '../../src/server/stacks/metrics.ts';
import { type ClusterPassDeps, clusterPass } from '../../src/server/stacks/pass.ts';
import { Session } from '../../src/session/session.ts';
import { RecordSealer } from '../../src/trust/sealer.ts';
import { deriveStateKey } from '../../src/trust/state-key.ts';
import { revision } from '../fakes/cluster-revision.ts';
import { MemoryKv } from '../fakes/memory-store.ts';
import { ScriptedBackend } from '../fakes/scripted-backend.ts';

const sealer = new RecordSealer(deriveStateKey(Buffer.alloc(32, 9)));
const project = (name: string) => `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${name}\n`;
const service = (image: string, replicas = '1') =>
  `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: app\nspec:\n  image: ${image}\n  replicas: ${replicas}\n`;

function setup() {
  const kv = new MemoryKv();
  const backends = new Map<string, ScriptedBackend>();
  const sessions = new Map<string, Session>();
  let root = revision(1, {});
  const deps: ClusterPassDeps = {
    fetchRoot: async () => root,
    globs: ['stacks/*'],
    concurrency: 2,
    board: new StackBoard(),
    sessionFor: (path) => {
      if (!sessions.has(path)) {
        const backend = backends.get(path) ?? new ScriptedBackend();
        backends.set(path, backend);
        const source = { repo: root.repo, path, cacheDir: '/nonexistent' };
        sessions.set(path, new Session({ kv, sealer, backend, source, lockWaitMs: 20 }));
      }
      return sessions.get(path)!;
    },
    log: pino({ level: 'silent' }),
    metrics: new StackMetrics(new Registry()),
    firstPass: true,
    retryLater: () => retries++,
  };
  let retries = 0;
  return {
    kv,
    deps,
    backends,
    push: (n: number, files: Record<string, string>) => (root = revision(n, files)),
    retries: () => retries,
  };
}

describe('stacks: a cluster pass isolates failures (fakes)', () => {
  it('an invalid manifest, a held lock and a failed rollout stay in their stacks', async () => {
    const w = setup();
    const files = {
      'stacks/a/bosun.yaml': project('a'),
      'stacks/a/app.yaml': service('app:1'),
      'stacks/b/bosun.yaml': project('b'),
      'stacks/b/app.yaml': service('app:1', 'many'),
      'stacks/c/bosun.yaml': project('c'),
      'stacks/c/app.yaml': service('app:1'),
      'stacks/d/bosun.yaml': project('d'),
      'stacks/d/app.yaml': service('app:1'),
    };
    w.push(1, files);
    const held = await acquireApplyLock(w.kv, 'c', 'someone@elsewhere:1', { waitMs: 0 });
    w.deps.sessionFor('stacks/d');
    w.backends.get('stacks/d')!.failWhen = () => new BosunError('E_CONTAINER_FAILED', 'app exited with code 1');
    const first = await clusterPass('webhook', w.deps);
    await held.release();
    assert.deepEqual(first.failed, ['stacks/b', 'stacks/c', 'stacks/d']);
    const rows = stackList(w.deps.board).map((r) => [
      r.path,
      r.sync,
      r.error?.code ?? null,
      r.applied?.release ?? null,
    ]);
    assert.deepEqual(rows, [
      ['stacks/a', 'synced', null, 1],
      ['stacks/b', 'invalid', 'E_MANIFEST_INVALID', null],
      ['stacks/c', 'error', 'E_LOCKED', null],
      ['stacks/d', 'failed', 'E_CONTAINER_FAILED', null],
    ]);
    assert.deepEqual(w.backends.get('stacks/a')!.calls, ['start app@1']);
    assert.equal(w.retries(), 1, 'the busy stack asks for a later pass');

    // the same revision again: only the stack that may pass by itself is planned
    w.deps.firstPass = false;
    const second = await clusterPass('poll', w.deps);
    assert.deepEqual(second.touched, [{ path: 'stacks/c', reason: 'retry' }]);
    assert.deepEqual(second.failed, []);

    // a fix to b touches b alone
    w.push(2, { ...files, 'stacks/b/app.yaml': service('app:1') });
    const third = await clusterPass('webhook', w.deps);
    assert.deepEqual(third.touched, [{ path: 'stacks/b', reason: 'changed' }]);
    assert.deepEqual(third.untouched, ['stacks/a', 'stacks/c', 'stacks/d']);
    assert.equal(stackList(w.deps.board)[1]!.sync, 'synced');
  });
});
