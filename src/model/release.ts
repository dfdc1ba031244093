import type { DesiredState } from './desired.ts';
import type { PlanSummary } from './plan.ts';
import type { Signer } from './signer.ts';

export type Trigger = 'cli' | 'webhook' | 'poll' | 'drift' | 'rollback' | 'down';
export type ReleaseStatus = 'applying' | 'succeeded' | 'failed' | 'rolled-back' | 'interrupted';

export interface Release {
  number: number;
  project: string;
  repo: string;
  ref: string;
  revision: string;
  trigger: Trigger;
  /** user@host that ran the apply */
  actor: string;
  desired: DesiredState;
  /** service → image id the engine resolved when the release was applied */
  images: Record<string, string>;
  summary: PlanSummary;
  /** one line per operation, as it was rendered for the user */
  operations: string[];
  startedAt: string;
  finishedAt?: string;
  status: ReleaseStatus;
  error?: { code: string; message: string };
  /** set when the ref was force-pushed since the release before: this revision does not contain its revision */
  forcePush?: ForcePush;
  /** set when this release bound the project to its source: its first apply, an upgrade, or a takeover */
  binding?: BindingNote;
  /** who signed the commit, when the host policy verifies signatures (git.verify) */
  signer?: Signer;
}

/** Where desired state comes from, normalised (release/binding.ts sourceOf). */
export interface ProjectSource {
  /** the repo URL without credentials or trailing slash; a local repo as an absolute path */
  repo: string;
  /** the folder inside the repo ('' for the root) */
  path: string;
}

export type BindReason = 'first' | 'upgrade' | 'takeover';

export interface BindingNote {
  reason: BindReason;
  source: ProjectSource;
  /** the source the project was taken over from */
  from?: ProjectSource;
  /** what handed it over: --take-over-project, or the host policy */
  via?: 'flag' | 'policy';
}

export interface ForcePush {
  previousRelease: number;
  previousRevision: string;
}

export type ReleaseDraft = Omit<Release, 'number' | 'status' | 'startedAt' | 'finishedAt' | 'error'>;
