import { setTimeout as sleep } from 'node:timers/promises';
import { BosunError, Codes } from '../../errors.ts';
import type { KvEntry } from '../../model/observed.ts';
import type { KvStore } from '../../ports.ts';

/** Far above what contention between a few controllers produces; below "hung forever". */
const MAX_ATTEMPTS = 200;

export interface Change<T> {
  value: string;
  result: T;
}

/**
 * Read-modify-write of one key with compare-and-set, retried while other writers win.
 * `change` sees the current entry (undefined when absent) and may throw to abort; it can be
 * called several times, so it must not have side effects.
 */
export async function updateKey<T>(
  kv: KvStore,
  key: string,
  change: (current: KvEntry | undefined) => Change<T>,
): Promise<T> {
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const current = await kv.get(key);
    const next = change(current);
    if (await kv.putIf(key, next.value, current?.version ?? null)) return next.result;
    await backOff(attempt);
  }
  throw new BosunError(
    Codes.storeConflict,
    `gave up writing ${key} in ${kv.url}: ${MAX_ATTEMPTS} concurrent writes won`,
    {
      data: { key },
    },
  );
}

/** Random, growing waits so that writers that just collided do not collide again in lockstep. */
async function backOff(attempt: number): Promise<void> {
  const ceilingMs = Math.min(2 ** Math.min(attempt, 10), 50);
  await sleep(Math.random() * ceilingMs);
}
