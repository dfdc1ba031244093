import { strict as assert } from 'node:assert';
import type { BosunError } from '../../src/errors.ts';
import type { ReleaseDraft } from '../../src/model/release.ts';
import { writePin } from '../../src/release/pin.ts';
import { addRanges, pruneCandidates, rangesText } from '../../src/release/retention.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { MemoryKv } from '../fakes/memory-store.ts';
import { desired } from '../helpers/model.ts';
import { testSealer } from '../helpers/state-key.ts';

function draft(project: string): ReleaseDraft {
  const summary = { create: 0, replace: 0, remove: 0, keysPut: 1, keysDeleted: 0, networks: 0, volumes: 0 };
  return {
    ...{ project, repo: 'r', ref: 'main', revision: 'a'.repeat(40), trigger: 'cli', actor: 't@h' },
    desired: desired([], [], project),
    images: {},
    summary,
    operations: [],
  };
}

describe('release history limits (pure ranges)', () => {
  it('merges ranges and prints them for people', () => {
    assert.deepEqual(addRanges([[1, 3]], [5, 4, 7]), [
      [1, 5],
      [7, 7],
    ]);
    assert.equal(
      rangesText([
        [1, 5],
        [7, 7],
      ]),
      '1–5, 7',
    );
  });

  it('offers the numbers older than the newest `limit`, skipping what is gone or kept, oldest first', () => {
    assert.deepEqual(pruneCandidates(10, 3, [[1, 2]], [4]), [3, 5, 6, 7]);
    assert.deepEqual(pruneCandidates(3, 3, [], []), []);
    assert.equal(pruneCandidates(1000, 10, [], []).length, 100, 'at most 100 at once (one etcd transaction)');
  });
});

describe('release history limits (ReleaseStore on an in-memory store)', () => {
  it('keeps the newest `limit`, the release in force, the pinned one and its rollback target', async () => {
    const kv = new MemoryKv();
    const store = new ReleaseStore(kv, testSealer());
    for (let n = 1; n <= 10; n++) {
      const r = await store.begin(draft('p'), 3);
      if (n === 2) await writePin(kv, testSealer(), 'p', { release: 2, target: 1, at: 'now', by: 't@h' });
      await store.finish('p', r.number, n >= 8 ? 'failed' : 'succeeded');
    }
    assert.deepEqual(
      (await store.list('p')).map((r) => r.number),
      [1, 2, 7, 8, 9, 10],
      'newest 3 (8-10), in force (7: the latest that succeeded), pinned (2) and its target (1)',
    );
    assert.deepEqual(await store.pruned('p'), { count: 4, gone: [[3, 6]] });
    assert.equal((await store.latest('p', 'succeeded'))?.number, 7);
    const err = await store.get('p', 4).then(
      () => assert.fail('pruned'),
      (e: BosunError) => e,
    );
    assert.equal(err.code, 'E_RELEASE_PRUNED');
    assert.match(err.message, /^release 4 of project p was pruned from the history/);
    const missing = await store.get('p', 11).catch((e: BosunError) => e);
    assert.equal((missing as BosunError).code, 'E_RELEASE_NOT_FOUND');
  });

  it('records nothing and prunes nothing when the transaction fails', async () => {
    const kv = new MemoryKv();
    const store = new ReleaseStore(kv, testSealer());
    for (let n = 1; n <= 3; n++) await store.finish('p', (await store.begin(draft('p'), 2)).number, 'succeeded');
    kv.failNext('commit', () => new Error('store went away'));
    await assert.rejects(store.begin(draft('p'), 2), /store went away/);
    assert.deepEqual(
      (await store.list('p')).map((r) => r.number),
      [2, 3],
    );
    assert.equal((await store.begin(draft('p'), 2)).number, 5, 'numbering continues past the failed attempt');
    assert.deepEqual(
      (await store.list('p')).map((r) => r.number),
      [3, 5],
      '2 pruned; 3 kept (in force); 4 never written',
    );
  });
});
