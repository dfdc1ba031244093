import type { ApplyLock, KvStore } from '../../ports.ts';
import { CasHold } from './hold.ts';
import { lockedError } from '../coordination/lock-error.ts';
import { jitter, sleep } from '../coordination/timing.ts';

/**
 * The lock on a store without leases (the embedded file store, one host): a record with an
 * expiry, taken by compare-and-set when it is absent, released, expired or its holder's process
 * is gone, and renewed while held. Waiters poll: reads of the local file cost microseconds.
 */
export async function acquireWithCas(
  kv: KvStore,
  key: string,
  holder: string,
  opts: { waitMs: number; ttlMs: number },
): Promise<ApplyLock> {
  const deadline = Date.now() + opts.waitMs;
  for (;;) {
    const { hold, current } = await CasHold.tryTake(kv, key, holder, opts.ttlMs);
    if (hold) return asLock(hold);
    // no `current`: another contender won the same instant; read its record before judging (the
    // pause matters: the file store answers synchronously, so a bare retry would starve timers)
    if (!current) {
      await sleep(jitter(0, 5));
      continue;
    }
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw lockedError(key, JSON.stringify(current));
    await sleep(Math.min(remaining, jitter(5, 40)));
  }
}

function asLock(hold: CasHold): ApplyLock {
  return {
    holder: hold.holder,
    since: hold.since,
    signal: hold.signal,
    release: () => hold.release(),
  };
}
