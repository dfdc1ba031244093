/**
 * What the controller of a cluster repo knows of each stack: what it was made of when last
 * handled (for path-scoped triggers), the last pass and the release in force. `stackList()` is
 * the one view of it that /status and the dashboard both show.
 */
import type { Fingerprint } from '../../stacks/artifacts.ts';
import type { SyncState } from '../../stacks/status.ts';
import type { KnownStack, TouchReason } from '../../stacks/triggers.ts';

export interface StackPass {
  trigger: 'webhook' | 'poll' | 'drift' | 'prune';
  reason: TouchReason | 'drift' | 'gone';
  at: string;
  durationMs: number;
  result: string;
  revision?: string;
  release?: number;
  error?: { code: string; message: string; disposition: string };
}

export interface StackEntry extends KnownStack {
  path: string;
  project?: string;
  dependsOn: string[];
  /** the fingerprint at the newest revision fetched */
  seen?: Fingerprint;
  /** a pass is planning or applying it now */
  running?: boolean;
  /** its folder left the repo (kept until --prune-stacks takes it down) */
  gone?: boolean;
  lastPass?: StackPass;
  applied?: { revision: string; release: number };
  /** why the stack cannot run at the newest revision (no project name, a name taken twice) */
  refused?: { code: string; message: string };
}

/** One row of the stack list: JSON for /status, and what a UI lists first. */
export interface StackView {
  path: string;
  project: string | null;
  sync: SyncState;
  dependsOn: string[];
  applied: { revision: string; release: number } | null;
  lastPass: StackPass | null;
  error: { code: string; message: string } | null;
}

export class StackBoard {
  readonly entries = new Map<string, StackEntry>();

  get(path: string): StackEntry {
    let e = this.entries.get(path);
    if (!e) {
      e = { path, dependsOn: [] };
      this.entries.set(path, e);
    }
    return e;
  }

  /** What triggers compare against: the stacks the repo declared when last fetched, and the gone ones. */
  known(): Map<string, KnownStack> {
    return new Map([...this.entries].map(([p, e]) => [p, { handled: e.handled, retry: e.retry }]));
  }

  byProject(project: string): StackEntry | undefined {
    for (const e of this.entries.values()) if (e.project === project) return e;
    return undefined;
  }
}

/** Every stack with its sync state, sorted by folder: the list /status and the dashboard show. */
export function stackList(board: StackBoard): StackView[] {
  return [...board.entries.values()]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((e) => ({
      path: e.path,
      project: e.project ?? null,
      sync: syncOf(e),
      dependsOn: e.dependsOn,
      applied: e.applied ?? null,
      lastPass: e.lastPass ?? null,
      error: e.refused ?? e.lastPass?.error ?? null,
    }));
}

/**
 * From what the passes found, without looking again: a stack the newest revision did not touch
 * stays as its last pass left it (a drift heal is what looks at it between pushes).
 */
export function syncOf(e: StackEntry): SyncState {
  if (e.running) return 'progressing';
  if (e.gone) return e.lastPass?.result === 'removed' ? 'removed' : 'out-of-sync';
  if (e.refused) return 'invalid';
  const p = e.lastPass;
  if (!p) return 'unknown';
  if (p.error) return p.error.disposition === 'stalled' ? (isRepoError(p.error.code) ? 'invalid' : 'failed') : 'error';
  if (p.result === 'pinned') return 'pinned';
  if (p.result === 'skipped') return 'failed';
  return 'synced';
}

/** Codes that say the repo must change, as opposed to a rollout that failed. */
function isRepoError(code: string): boolean {
  return ['E_MANIFEST_INVALID', 'E_POLICY_DENIED', 'E_PROJECT_BOUND', 'E_EMPTY_REFUSED', 'E_USAGE'].includes(code);
}
