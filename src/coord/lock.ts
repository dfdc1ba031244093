import { BosunError, Codes } from '../errors.ts';
import type { ApplyLock, KvStore } from '../ports.ts';
import { lockKey } from '../store/coordination/keys.ts';

/** Long enough for a busy etcd or a paused process; short enough that a dead holder is soon forgotten. */
export const DEFAULT_LOCK_TTL_MS = 10_000;

export type { ApplyLock } from '../ports.ts';

export interface LockOptions {
  /** how long to wait for another holder to let go; 0 tries once */
  waitMs: number;
  /** how long the lock outlives a holder that stopped renewing it (default 10 s) */
  ttlMs?: number;
}

/**
 * The project's apply lock at /bosun/<project>/lock: one apply at a time across every process
 * (and, on etcd, every host). `holder` names who is applying in messages, e.g. `bosun@web-1:4242`.
 * Fails with E_LOCKED (disposition busy) naming the holder when it is not free within `waitMs`.
 */
export async function acquireApplyLock(
  kv: KvStore,
  project: string,
  holder: string,
  opts: LockOptions,
): Promise<ApplyLock> {
  const key = lockKey(project);
  const resolved = { waitMs: Math.max(0, opts.waitMs), ttlMs: opts.ttlMs ?? DEFAULT_LOCK_TTL_MS };
  if (!(resolved.ttlMs > 0)) throw new BosunError(Codes.usage, `lock ttl must be positive, got ${opts.ttlMs}`);
  const lock = await kv.coordination.lock(key, holder, resolved);
  return { holder: lock.holder, since: lock.since, signal: lostAs(lock.signal), release: () => lock.release() };
}

/**
 * However the store lost it (an etcd lease that may have expired, a record taken over), a lock
 * lost mid-apply is E_LOCK_LOST: retry later, and never roll back without the lock.
 */
function lostAs(signal: AbortSignal): AbortSignal {
  const lost = new AbortController();
  const abort = () => {
    const why = signal.reason instanceof Error ? signal.reason.message : String(signal.reason);
    lost.abort(new BosunError(Codes.lockLost, why, { cause: signal.reason }));
  };
  if (signal.aborted) abort();
  else signal.addEventListener('abort', abort, { once: true });
  return lost.signal;
}
