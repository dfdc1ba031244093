import { asBosunError } from '../errors.ts';
import { errorFields } from './log.ts';
import type { ServerMetrics } from './metrics.ts';
import type { DriftClock } from './drift-clock.ts';
import { healPass, reconcilePass, type Outcome, type PassDeps } from './passes.ts';
import type { RunTrigger, StatusBoard } from './status.ts';
import { actionPass, type StackAction } from './ui/actions.ts';

/** What the queue holds: at most one reconcile (a webhook outranks a poll) and/or a heal. */
export interface Batch {
  reconcile?: 'webhook' | 'poll';
  heal: boolean;
  /** a person's request from the dashboard, run before the rest; a newer one replaces an older */
  action?: StackAction;
}

export function mergeBatches(older: Batch, newer: Batch): Batch {
  const reconcile =
    older.reconcile === 'webhook' || newer.reconcile === 'webhook' ? 'webhook' : (newer.reconcile ?? older.reconcile);
  const action = newer.action ?? older.action;
  return { reconcile, heal: older.heal || newer.heal, ...(action && { action }) };
}

export interface RunnerDeps extends PassDeps {
  metrics: ServerMetrics;
  status: StatusBoard;
  drift: DriftClock;
  isLeader: () => boolean;
  /** called after a failure that may pass by itself (retry, busy) */
  retryLater: (trigger: Exclude<RunTrigger, 'action'>) => void;
  /** called after a pass that went through */
  succeeded: () => void;
  /** after every batch the leader ran (publishes endpoints) */
  afterRun?: () => Promise<void>;
  /** each reported pass's outcome (notifications); must return at once */
  outcome?: (trigger: RunTrigger, o: Outcome) => void;
}

/** Runs one batch from the queue and reports it: metrics, /status, logs. Never throws. */
export class Runner {
  constructor(private readonly d: RunnerDeps) {}

  async run(batch: Batch): Promise<void> {
    const trigger: RunTrigger = batch.reconcile ?? 'drift';
    if (!this.d.isLeader()) {
      this.d.metrics.reconciles.inc({ trigger, result: 'not-leader' });
      return;
    }
    if (batch.action) await this.attempt('action', () => actionPass(batch.action!, this.d));
    // a reconcile pass also repairs drift, unless it could not run or chose not to apply
    const outcome = batch.reconcile
      ? await this.attempt(batch.reconcile, () => reconcilePass(batch.reconcile!, this.d))
      : undefined;
    const covered = outcome !== undefined && outcome !== 'failed' && outcome !== 'skipped';
    if (batch.heal && !covered) await this.attempt('drift', () => healPass(this.d));
    // level-triggered: whatever happened to the stack while it changed is found by looking, not by
    // events; a look that finds nothing is not a pass of its own in /status and the metrics
    else if (outcome === 'applied') await this.attempt('drift', () => healPass(this.d), { quiet: true });
    await this.refreshApplied();
    await this.d.afterRun?.();
  }

  /** Loads the release in force into /status and the info metric (at start-up and after each run). */
  async refreshApplied(): Promise<void> {
    try {
      const r = await this.d.session.releaseInForce(this.d.project);
      if (!r) return;
      this.d.status.applied = { revision: r.revision, release: r.number };
      this.d.metrics.setApplied(r.revision, r.number);
    } catch (err) {
      this.d.log.warn({ err: errorFields(err) }, 'could not read the release in force');
    }
  }

  private async attempt(
    trigger: RunTrigger,
    pass: () => Promise<Outcome>,
    opts: { quiet?: boolean } = {},
  ): Promise<Outcome['result'] | 'failed'> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      const o = await pass();
      const driftMs = o.looked ? this.d.drift.looked(started, o.repaired, Date.now()) : undefined;
      if (opts.quiet && o.repaired === 0) {
        this.d.log.debug(
          { trigger, result: o.result, ms: Date.now() - started },
          'looked again after the pass: nothing drifted',
        );
        return o.result;
      }
      this.finish(trigger, started, o.result);
      this.d.outcome?.(trigger, o);
      if (o.repaired > 0) this.d.metrics.driftRepairs.inc();
      if (driftMs !== undefined) this.d.metrics.driftRepairSeconds.observe(driftMs / 1000);
      this.d.status.lastAttempt = {
        trigger,
        at,
        durationMs: Date.now() - started,
        result: o.result,
        revision: o.revision,
        release: o.release,
      };
      this.d.log.info(
        {
          trigger,
          result: o.result,
          revision: o.revision,
          release: o.release,
          repaired: o.repaired,
          reason: o.reason,
          ms: Date.now() - started,
        },
        `${trigger} pass: ${o.result}`,
      );
      this.d.succeeded();
      return o.result;
    } catch (err) {
      const e = asBosunError(err);
      const disposition = e.disposition;
      this.finish(trigger, started, disposition);
      const error = { code: e.code, message: e.message, disposition };
      this.d.status.lastAttempt = { trigger, at, durationMs: Date.now() - started, result: disposition, error };
      this.d.log.error({ trigger, ...error }, `${trigger} pass failed (${disposition})`);
      // a person's action is not retried behind their back: they see the error and decide
      if (disposition !== 'stalled' && trigger !== 'action') this.d.retryLater(trigger);
      return 'failed';
    }
  }

  private finish(trigger: RunTrigger, started: number, result: string): void {
    this.d.metrics.reconciles.inc({ trigger, result });
    this.d.metrics.duration.observe({ trigger }, (Date.now() - started) / 1000);
  }
}
