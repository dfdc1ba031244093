import type { Release } from '../../model/release.ts';
import type { StatusSnapshot } from '../status.ts';

export type SyncState = 'in-sync' | 'out-of-sync' | 'applying' | 'pinned' | 'failed' | 'rolled-back' | 'unknown';

export const SYNC_LABELS: Record<SyncState, string> = {
  'in-sync': 'in sync',
  'out-of-sync': 'out of sync',
  applying: 'applying',
  pinned: 'pinned',
  failed: 'failed',
  'rolled-back': 'rolled back',
  unknown: 'not applied yet',
};

export interface SyncVerdict {
  state: SyncState;
  /** one sentence saying why, shown beside the state */
  why: string;
}

/**
 * Pure: the one word a person reads first. Ordered by what they must act on: a pin holds
 * everything, a running apply is news, a failure of the newest revision outranks "out of sync".
 * `newest` is the newest release (any status); `seen` the newest git revision a pass saw.
 */
export function syncState(s: StatusSnapshot, newest: Release | undefined, seen: string | undefined): SyncVerdict {
  if (s.pinned) {
    const at = s.pinned.down ? 'taken down' : `at release ${s.pinned.release}`;
    return { state: 'pinned', why: `pinned ${at} by ${s.pinned.by}: git is not applied until resumed` };
  }
  if (newest?.status === 'applying') return { state: 'applying', why: `release ${newest.number} is being applied` };
  if (newest && (seen === undefined || newest.revision === seen)) {
    if (newest.status === 'rolled-back')
      return { state: 'rolled-back', why: `release ${newest.number} failed and was rolled back` };
    if (newest.status === 'failed' || newest.status === 'interrupted')
      return { state: 'failed', why: `release ${newest.number} ${newest.status}` };
  }
  const error = s.lastAttempt?.error;
  if (error && error.disposition === 'stalled')
    return { state: 'failed', why: `the last ${s.lastAttempt!.trigger} pass failed: ${error.code}` };
  if (!s.applied) return { state: 'unknown', why: 'no release has been applied yet' };
  if (seen !== undefined && seen !== s.applied.revision)
    return {
      state: 'out-of-sync',
      why: `git is at ${seen.slice(0, 12)}, release ${s.applied.release} runs ${s.applied.revision.slice(0, 12)}`,
    };
  if (error) return { state: 'out-of-sync', why: `the last pass could not run (${error.code}): retrying` };
  return { state: 'in-sync', why: `release ${s.applied.release} runs what git says` };
}
