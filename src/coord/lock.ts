import { BosunError, Codes } from '../errors.ts';
import type { KvStore } from '../ports.ts';
import { isEtcd } from '../store/kind.ts';
import { acquireWithCas } from './lock-cas.ts';
import { acquireOnEtcd } from './lock-etcd.ts';
import { lockKey } from './keys.ts';

/** Long enough for a busy etcd or a paused process; short enough that a dead holder is soon forgotten. */
export const DEFAULT_LOCK_TTL_MS = 10_000;

export interface ApplyLock {
  holder: string;
  /** ISO time the lock was taken */
  since: string;
  /**
   * Aborted (reason: a BosunError) when the lock can no longer be trusted: its etcd lease may have
   * expired, or on the embedded store it was taken over. An apply should stop at the next step.
   */
  signal: AbortSignal;
  /** Gives the lock up if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

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
export async function acquireApplyLock(kv: KvStore, project: string, holder: string, opts: LockOptions): Promise<ApplyLock> {
  const key = lockKey(project);
  const resolved = { waitMs: Math.max(0, opts.waitMs), ttlMs: opts.ttlMs ?? DEFAULT_LOCK_TTL_MS };
  if (!(resolved.ttlMs > 0)) throw new BosunError(Codes.usage, `lock ttl must be positive, got ${opts.ttlMs}`);
  return isEtcd(kv) ? acquireOnEtcd(kv, key, holder, resolved) : acquireWithCas(kv, key, holder, resolved);
}
