import os from 'node:os';
import { acquireApplyLock } from '../coord/lock.ts';
import { Codes } from '../errors.ts';
import { unlessUntrusted } from '../trust/sealer.ts';
import type { Session } from './session.ts';

export const DEFAULT_LOCK_WAIT_MS = 60_000;

/** Who ran an apply, as releases record it: `user@host`. */
export function actor(): string {
  return `${os.userInfo().username}@${os.hostname()}`;
}

/** Who holds the lock, as other bosun processes will read it: `user@host:pid`. */
export function lockHolder(): string {
  return `${actor()}:${process.pid}`;
}

/**
 * Runs `fn` holding the project's apply lock: one apply at a time, across processes and (on
 * etcd) hosts. Under the lock, a release still `applying` belongs to a process that died, so it
 * is recorded `interrupted` before anything else happens.
 */
export async function withApplyLock<T>(
  session: Session,
  project: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const waitMs = session.o.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS;
  const lock = await acquireApplyLock(session.kv, project, lockHolder(), { waitMs });
  try {
    await markInterrupted(session, project);
    return await fn(lock.signal);
  } finally {
    await lock.release();
  }
}

async function markInterrupted(session: Session, project: string): Promise<void> {
  // an untrusted newest record cannot say it was left applying: it is never acted on
  const latest = await unlessUntrusted(session.releases.latest(project));
  if (latest?.status !== 'applying') return;
  await session.releases.finish(project, latest.number, 'interrupted', {
    code: Codes.interrupted,
    message: `the process applying it (${latest.actor}) stopped before it finished; found by the next apply`,
  });
}
