import { strict as assert } from 'node:assert';
import { execute } from '../../src/apply/execute.ts';
import { acquireApplyLock } from '../../src/coord/lock.ts';
import { BosunError } from '../../src/errors.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import { heal } from '../../src/session/heal.ts';
import { rollbackTo } from '../../src/session/rollback.ts';
import { applyAsRelease } from '../../src/session/release-apply.ts';
import { Session } from '../../src/session/session.ts';
import { MemoryKv } from '../fakes/memory-store.ts';
import { ScriptedBackend } from '../fakes/scripted-backend.ts';
import { backendContract, plainService } from '../helpers/backend-contract.ts';
import { desired, service } from '../helpers/model.ts';
import { RecordSealer } from '../../src/trust/sealer.ts';
import { deriveStateKey } from '../../src/trust/state-key.ts';

/** A fixed key: the fakes run without files. */
const sealer = new RecordSealer(deriveStateKey(Buffer.alloc(32, 7)));

const at = { repo: 'r', ref: 'main', revision: 'c'.repeat(40) };

/** Plans `d` against the fake engine and applies it as a release, as a reconcile would. */
async function release(session: Session, d: DesiredState) {
  const { plan, observed } = await session.planFor(d, at);
  const images = await session.backend.resolveImages(plan, observed);
  return applyAsRelease(session, plan, { trigger: 'cli', images });
}

function setup() {
  const kv = new MemoryKv();
  const backend = new ScriptedBackend();
  const notices: string[] = [];
  const session = new Session({ kv, sealer, backend, notice: (l) => notices.push(l) });
  return { kv, backend, session, notices };
}

const v1 = desired([service('db'), service('web', { dependsOn: ['db'] }), service('api', { dependsOn: ['db'] })]);
const v2 = desired(v1.services.map((s) => ({ ...s, image: 'app:2' })));

describe('session on fakes: failure paths, deterministically', () => {
  it('applies a release through the back end in dependsOn order', async () => {
    const { backend, session } = setup();
    const r = await release(session, v1);
    assert.equal(r.status, 'succeeded');
    assert.deepEqual(backend.calls, ['start db@1', 'start api@1', 'start web@1']);
    assert.deepEqual(r.operations, [
      '+ start workload db — missing',
      '+ start workload api — missing',
      '+ start workload web — missing',
    ]);
  });

  it('a start failing mid-rollout rolls every service back to the previous release and names what never started', async () => {
    const { backend, session, notices } = setup();
    await release(session, v1);
    const before = new Map(backend.workloads);
    backend.failWhen = (op) =>
      op.service === 'db' && op.kind === 'replace'
        ? new BosunError('E_CONTAINER_FAILED', 'db exited with code 3', { data: { service: 'db' } })
        : undefined;
    const err = await release(session, v2).catch((e: unknown) => e);
    assert.ok(err instanceof BosunError);
    assert.equal(err.code, 'E_ROLLED_BACK');
    assert.match(
      err.message,
      /^release 2 rolled back to release 1: ~ replace workload db — spec changed: db exited with code 3; not started: api, web \(they come after db\)$/,
    );
    assert.deepEqual(backend.workloads, before, 'the engine is as release 1 left it');
    assert.equal((await session.releases.get('shop', 2)).status, 'rolled-back');
    assert.match(notices[0]!, /rolling back to release 1/);
  });

  it('failureAction pause records the pause, and drift repair then leaves the stack alone', async () => {
    const { backend, session } = setup();
    await release(session, v1);
    const paused = desired(
      v2.services.map((s) => ({ ...s, update: { ...s.update, failureAction: 'pause' as const } })),
    );
    backend.failWhen = (op) =>
      op.service === 'web'
        ? new BosunError('E_CONTAINER_FAILED', 'web unhealthy', { data: { service: 'web' } })
        : undefined;
    const err = await release(session, paused).catch((e: unknown) => e);
    assert.ok(err instanceof BosunError && /failureAction pause/.test(err.message), String(err));
    assert.equal((await session.releases.get('shop', 2)).error?.code, 'E_ROLLOUT_PAUSED');
    backend.workloads.delete('db');
    const healed = await heal(session, 'shop');
    assert.equal(healed.paused?.number, 2);
    assert.equal(backend.workloads.has('db'), false, 'nothing repaired while paused');
  });

  it('heal returns a lost workload to the release in force without recording a release', async () => {
    const { backend, session } = setup();
    await release(session, v1);
    backend.workloads.delete('web');
    backend.calls.length = 0;
    const healed = await heal(session, 'shop');
    assert.equal(healed.release?.number, 1);
    assert.deepEqual(backend.calls, ['start web@1']);
    assert.equal((await session.releases.latest('shop'))?.number, 1);
  });

  it('heal and rollback refuse a forged release in force (E_RECORD_TAMPERED) and start nothing from it', async () => {
    const { kv, backend, session } = setup();
    await release(session, v1);
    const key = '/bosun/shop/releases/0000000001';
    const forged = JSON.parse(kv.entries.get(key)!.value);
    forged.record.desired.services[0].volumes = [{ hostPath: '/etc', target: '/host-etc', readOnly: false }];
    kv.write(key, JSON.stringify(forged));
    backend.workloads.delete('web');
    backend.calls.length = 0;
    const healErr = (await heal(session, 'shop').catch((e: unknown) => e)) as BosunError;
    assert.equal(healErr.code, 'E_RECORD_TAMPERED');
    const rollbackErr = (await rollbackTo(session, 'shop', 1).catch((e: unknown) => e)) as BosunError;
    assert.equal(rollbackErr.code, 'E_RECORD_TAMPERED');
    assert.deepEqual(backend.calls, [], 'nothing ran from the forged record');
    // an apply from git still goes through: the untrusted record is neither returned to nor blocks it
    const r2 = await release(session, v1);
    assert.deepEqual([r2.number, r2.status, backend.calls], [2, 'succeeded', ['start web@2']]);
    assert.equal((await heal(session, 'shop')).release?.number, 2);
  });

  it('heal with nothing drifted takes no lock and writes nothing (it passes while another apply holds the lock)', async () => {
    const { kv, backend } = setup();
    const session = new Session({ kv, sealer, backend, lockWaitMs: 0 });
    await release(session, v1);
    const held = await acquireApplyLock(kv, 'shop', 'someone@elsewhere:1', { waitMs: 0 });
    try {
      backend.calls.length = 0;
      const healed = await heal(session, 'shop');
      assert.equal(healed.plan?.operations.length, 0);
      assert.deepEqual(backend.calls, []);
      backend.workloads.delete('web');
      const err = await heal(session, 'shop').catch((e: unknown) => e);
      assert.ok(err instanceof BosunError && err.code === 'E_LOCKED', 'a repair needs the lock');
    } finally {
      await held.release();
    }
  });

  it('a key written by someone else after planning is not overwritten (E_STORE_CONFLICT)', async () => {
    const { kv, backend, session } = setup();
    const d = desired(
      [service('web')],
      [{ name: 'web', prefix: '/shop/web/', data: { LEVEL: 'info' }, secret: false }],
    );
    const { plan } = await session.planFor(d, at);
    kv.write('/shop/web/LEVEL', 'theirs');
    const err = await execute(plan, { backend, kv, sealer, release: 1 }).catch((e: unknown) => e);
    assert.ok(err instanceof BosunError);
    assert.equal(err.code, 'E_STORE_CONFLICT');
    assert.equal((await kv.get('/shop/web/LEVEL'))?.value, 'theirs');
    assert.deepEqual(backend.calls, [], 'the rollout after the keys never started');
  });

  it('a lost lock stops the apply at the next phase', async () => {
    const { kv, backend, session } = setup();
    const { plan } = await session.planFor(v1, at);
    const lock = new AbortController();
    backend.failWhen = (op) =>
      op.service === 'db' ? (lock.abort(new BosunError('E_LOCK_LOST', 'lock lost')), undefined) : undefined;
    const err = await execute(plan, { backend, kv, sealer, release: 1, signal: lock.signal }).catch((e: unknown) => e);
    assert.ok(err instanceof BosunError && err.message === 'lock lost', String(err));
    assert.deepEqual(backend.calls, ['start db@1'], 'api and web (the next phase) were never started');
  });

  it('a lock lost mid-apply records the release failed and does not roll back without the lock', async () => {
    const { backend, session } = setup();
    await release(session, v1);
    const lock = new AbortController();
    backend.failWhen = (op) =>
      op.service === 'db' ? (lock.abort(new BosunError('E_LOCK_LOST', 'lock lost')), undefined) : undefined;
    const { plan, observed } = await session.planFor(v2, at);
    const images = await session.backend.resolveImages(plan, observed);
    backend.calls.length = 0;
    const err = await applyAsRelease(session, plan, { trigger: 'cli', images, signal: lock.signal }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof BosunError && err.code === 'E_LOCK_LOST' && err.disposition === 'retry', String(err));
    assert.equal((await session.releases.get('shop', 2)).status, 'failed');
    assert.deepEqual(backend.calls, ['replace db@2'], 'nothing ran after the lock was lost, not even a rollback');
  });

  it('a store that fails while recording the release start changes nothing', async () => {
    const { kv, backend, session } = setup();
    kv.failNext('putIf', () => new BosunError('E_STORE_UNREACHABLE', 'etcd away'));
    const err = await release(session, v1).catch((e: unknown) => e);
    assert.ok(err instanceof BosunError && err.code === 'E_STORE_UNREACHABLE', String(err));
    assert.deepEqual(backend.calls, []);
  });
});

backendContract('scripted fake', async () => ({
  backend: new ScriptedBackend(),
  kv: new MemoryKv(),
  project: 'shop',
  service: plainService,
  cleanup: async () => undefined,
}));
