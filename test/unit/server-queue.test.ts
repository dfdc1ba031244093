import { strict as assert } from 'node:assert';
import { CoalescingQueue } from '../../src/server/queue.ts';
import { mergeBatches } from '../../src/server/runner.ts';

/** A run that finishes only when the test says so. */
function gate() {
  let open!: () => void;
  const done = new Promise<void>((r) => (open = r));
  return { done, open };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('server: coalescing queue', () => {
  it('runs at once when idle, then 100 triggers during the run cause exactly one more run, with the newest', async () => {
    const runs: number[] = [];
    const gates: ReturnType<typeof gate>[] = [];
    let coalesced = 0;
    const q = new CoalescingQueue<number>(
      async (n) => {
        runs.push(n);
        const g = gate();
        gates.push(g);
        await g.done;
      },
      (_older, newer) => newer,
      { onCoalesced: () => coalesced++ },
    );
    assert.equal(q.push(0), 'started');
    assert.deepEqual(runs, [0]);
    const outcomes = Array.from({ length: 100 }, (_, i) => q.push(i + 1));
    assert.equal(outcomes[0], 'queued');
    assert.ok(outcomes.slice(1).every((o) => o === 'coalesced'));
    assert.equal(coalesced, 99);
    assert.deepEqual(q.state(), { running: true, pending: true });
    gates[0].open();
    await tick();
    assert.deepEqual(runs, [0, 100], 'one follow-up run, with the newest trigger');
    gates[1].open();
    await q.idle();
    assert.deepEqual(runs, [0, 100]);
    assert.deepEqual(q.state(), { running: false, pending: false });
  });

  it('keeps going after a failed run and reports the error', async () => {
    const errors: unknown[] = [];
    const seen: string[] = [];
    const q = new CoalescingQueue<string>(
      async (s) => {
        seen.push(s);
        await tick();
        if (s === 'bad') throw new Error('boom');
      },
      (_a, b) => b,
      { onError: (e) => errors.push(e) },
    );
    q.push('bad');
    q.push('good');
    await q.idle();
    assert.deepEqual(seen, ['bad', 'good']);
    assert.equal((errors[0] as Error).message, 'boom');
  });

  it('close() lets the running pass finish, drops the pending one and refuses new work', async () => {
    const g = gate();
    const seen: number[] = [];
    const q = new CoalescingQueue<number>(
      async (n) => {
        seen.push(n);
        await g.done;
      },
      (_a, b) => b,
    );
    q.push(1);
    q.push(2);
    let closed = false;
    const closing = q.close().then(() => (closed = true));
    await tick();
    assert.equal(closed, false, 'waits for the running pass');
    assert.equal(q.push(3), 'closed');
    g.open();
    await closing;
    assert.deepEqual(seen, [1]);
  });

  it('merges batches: a webhook outranks a poll, a heal is never lost', () => {
    assert.deepEqual(mergeBatches({ reconcile: 'poll', heal: false }, { reconcile: 'webhook', heal: false }), {
      reconcile: 'webhook',
      heal: false,
    });
    assert.deepEqual(mergeBatches({ reconcile: 'webhook', heal: false }, { reconcile: 'poll', heal: false }), {
      reconcile: 'webhook',
      heal: false,
    });
    assert.deepEqual(mergeBatches({ heal: true }, { reconcile: 'poll', heal: false }), {
      reconcile: 'poll',
      heal: true,
    });
    assert.deepEqual(mergeBatches({ heal: false, reconcile: 'poll' }, { heal: true }), {
      reconcile: 'poll',
      heal: true,
    });
  });
});
