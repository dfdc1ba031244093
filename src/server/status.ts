import type { NodeDown } from '../backends/backend.ts';
import type { Pin } from '../release/pin.ts';
import type { DriftRepair } from './drift-clock.ts';

/** `action`: a person's request from the dashboard (rollback, resume) */
export type RunTrigger = 'webhook' | 'poll' | 'drift' | 'action';

export interface Attempt {
  trigger: RunTrigger;
  /** when it started (ISO) */
  at: string;
  durationMs: number;
  result: string;
  revision?: string;
  release?: number;
  error?: { code: string; message: string; disposition: string };
}

export interface WebhookSeen {
  provider: string;
  at: string;
  status: string;
  event?: string;
  delivery?: string;
}

export interface StatusSnapshot {
  repo: string;
  ref: string;
  path?: string;
  project: string;
  applied: { revision: string; release: number } | null;
  lastAttempt: Attempt | null;
  lastWebhook: WebhookSeen | null;
  /** the last drift repaired: when it was seen, when it was repaired, how long it took */
  lastDrift: DriftRepair | null;
  queue: { running: boolean; pending: boolean; coalesced: number };
  pinned: Pin | null;
  pinError?: string;
  leader: boolean;
  /** who leads the project's controllers (this process or another), when an election runs */
  leaderName: string | null;
  draining: boolean;
  startedAt: string;
  /** cluster back ends: hosts not ready and where the project's tasks moved (empty: all ready) */
  nodesDown?: NodeDown[];
  /** the manager could not be asked which hosts are down */
  nodesError?: string;
}

/** What /status reports that only the running controller knows; the rest is read per request. */
export class StatusBoard {
  applied: StatusSnapshot['applied'] = null;
  lastAttempt: Attempt | null = null;
  lastWebhook: WebhookSeen | null = null;
  coalesced = 0;
  readonly startedAt = new Date().toISOString();

  constructor(readonly source: { repo: string; ref: string; path?: string; project: string }) {}

  snapshot(
    live: Pick<
      StatusSnapshot,
      'queue' | 'pinned' | 'pinError' | 'leader' | 'leaderName' | 'draining' | 'lastDrift' | 'nodesDown' | 'nodesError'
    >,
  ): StatusSnapshot {
    return {
      ...this.source,
      applied: this.applied,
      lastAttempt: this.lastAttempt,
      lastWebhook: this.lastWebhook,
      ...live,
      startedAt: this.startedAt,
    };
  }
}
