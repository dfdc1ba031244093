/**
 * A stack's sync state, in one word, for `bosun status --all`, /status and the dashboard's
 * stack list. The CLI looks (observes and plans every stack); the controller reports what its
 * passes found (server/stacks/board.ts) without observing untouched stacks again.
 */
import { asBosunError } from '../errors.ts';
import { dispositionOf } from '../errors.ts';
import { projectStatus } from '../session/status.ts';
import type { Session } from '../session/session.ts';
import type { ClusterStack } from './cluster.ts';

export type SyncState =
  /** what runs is what git says */
  | 'synced'
  /** git says something else, not applied yet */
  | 'out-of-sync'
  /** at the revision in force, but something drifted */
  | 'drifted'
  /** held at a release by `bosun rollback` */
  | 'pinned'
  /** taken down by `bosun down` (or a pruned stack) */
  | 'down'
  /** its manifests (or the host policy) refuse the revision: a person must fix the repo */
  | 'invalid'
  /** its last apply failed (rolled back or paused) */
  | 'failed'
  /** a pass is applying it now */
  | 'progressing'
  /** its folder left the repo: taken down with --prune-stacks */
  | 'removed'
  /** not looked at yet, or could not be looked at (engine, store unreachable) */
  | 'unknown'
  | 'error';

export interface StackStatus {
  path: string;
  project?: string;
  sync: SyncState;
  inForce?: { number: number; revision: string; status: string };
  detail?: string;
  error?: { code: string; message: string };
}

/** Read-only, for the CLI: the release in force, its drift and what git at this revision would change. */
export async function stackStatus(session: Session, s: ClusterStack): Promise<StackStatus> {
  const base = { path: s.path, project: s.project };
  if (s.refused || !s.project) return { ...base, sync: 'invalid', error: errorOf(s.refused) };
  const report = await projectStatus(session, s.project, false);
  const inForce = report.inForce && {
    number: report.inForce.number,
    revision: report.inForce.revision,
    status: report.inForce.status,
  };
  const withRelease = { ...base, ...(inForce && { inForce }) };
  if (report.pin?.down) return { ...withRelease, sync: 'down', detail: `down since ${report.pin.at}` };
  if (report.pin) return { ...withRelease, sync: 'pinned', detail: `pinned at release ${report.pin.release}` };
  let pending: number;
  try {
    pending = (await session.planAt(s.artifact)).plan.operations.length;
  } catch (err) {
    const e = errorOf(err)!;
    return { ...withRelease, sync: dispositionOf(e.code) === 'stalled' ? 'invalid' : 'error', error: e };
  }
  const drift = report.drift?.operations.length ?? 0;
  const failed = report.latest && report.latest.number !== report.inForce?.number ? report.latest : undefined;
  if (pending > 0 && failed?.revision === s.artifact.revision)
    return { ...withRelease, sync: 'failed', detail: `release ${failed.number} ${failed.status}` };
  if (pending > 0) return { ...withRelease, sync: 'out-of-sync', detail: `${pending} operation(s) to apply` };
  if (drift > 0) return { ...withRelease, sync: 'drifted', detail: `${drift} operation(s) to repair` };
  return { ...withRelease, sync: 'synced' };
}

function errorOf(err: unknown): StackStatus['error'] {
  if (err === undefined) return undefined;
  const e = asBosunError(err);
  return { code: e.code, message: e.message };
}
