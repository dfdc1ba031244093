import type { DesiredState } from './desired.ts';
import type { PlanSummary } from './plan.ts';

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
}

export interface ForcePush {
  previousRelease: number;
  previousRevision: string;
}

export type ReleaseDraft = Omit<Release, 'number' | 'status' | 'startedAt' | 'finishedAt' | 'error'>;
