import { acquireApplyLock } from '../coord/lock.ts';
import { Codes } from '../errors.ts';
import type { KvStore } from '../ports.ts';
import { ReleaseStore } from '../release/store.ts';
import { actor } from './release-apply.ts';

export const DEFAULT_LOCK_WAIT_MS = 60_000;

/** Who holds the lock, as other bosun processes will read it: `user@host:pid`. */
export function lockHolder(): string {
  return `${actor()}:${process.pid}`;
}

/**
 * Runs `fn` holding the project's apply lock: one apply at a time, across processes and (on
 * etcd) hosts. Under the lock, a release still `applying` belongs to a process that died, so it
 * is recorded `interrupted` before anything else happens.
 */
export async function withApplyLock<T>(kv: KvStore, project: string, waitMs: number | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const lock = await acquireApplyLock(kv, project, lockHolder(), { waitMs: waitMs ?? DEFAULT_LOCK_WAIT_MS });
  try {
    await markInterrupted(kv, project);
    return await fn(lock.signal);
  } finally {
    await lock.release();
  }
}

async function markInterrupted(kv: KvStore, project: string): Promise<void> {
  const releases = new ReleaseStore(kv);
  const latest = await releases.latest(project);
  if (latest?.status !== 'applying') return;
  await releases.finish(project, latest.number, 'interrupted', {
    code: Codes.interrupted,
    message: `the process applying it (${latest.actor}) stopped before it finished; found by the next apply`,
  });
}
