import type { Plan } from '../../model/plan.ts';
import type { Pin } from '../../release/pin.ts';
import { errorFields } from '../log.ts';
import type { StackHandle } from './stacks.ts';

/** What git would change now, as last computed. */
export interface PendingPlan {
  /** when it was computed (ms since the epoch) */
  at: number;
  ms: number;
  revision?: string;
  plan?: Plan;
  pinned?: Pin;
  error?: { code?: string; message: string };
  /** the release in force it was planned against: a new one makes it stale */
  appliedRelease?: number;
}

/** At most one fetch per stack this often, whoever reloads the page. */
export const PENDING_MIN_INTERVAL_MS = 10_000;
/** A plan of the same revision against the same release is shown again for this long. */
export const PENDING_MAX_AGE_MS = 60_000;

/**
 * The dry run of the pending plan, through the Session (fetch → planAt, never applying), computed
 * only when a page asks: a controller nobody looks at does no more work. Cached per stack by
 * revision and release in force; requests meanwhile share one computation.
 */
export class PendingPlans {
  private readonly last = new Map<string, PendingPlan>();
  private readonly running = new Map<string, Promise<PendingPlan>>();

  constructor(private readonly now: () => number = Date.now) {}

  get(handle: StackHandle, appliedRelease: number | undefined): Promise<PendingPlan> {
    const key = handle.project;
    const last = this.last.get(key);
    if (last && this.now() - last.at < PENDING_MIN_INTERVAL_MS && last.appliedRelease === appliedRelease)
      return Promise.resolve(last);
    const running = this.running.get(key);
    if (running !== undefined) return running;
    const next = this.compute(handle, appliedRelease, last).finally(() => this.running.delete(key));
    this.running.set(key, next);
    return next;
  }

  private async compute(
    handle: StackHandle,
    appliedRelease: number | undefined,
    last: PendingPlan | undefined,
  ): Promise<PendingPlan> {
    const started = this.now();
    let result: PendingPlan;
    try {
      const artifact = await handle.session.fetch();
      const fresh =
        last?.plan !== undefined &&
        last.revision === artifact.revision &&
        last.appliedRelease === appliedRelease &&
        started - last.at < PENDING_MAX_AGE_MS;
      if (fresh) return last;
      const planned = await handle.session.planAt(artifact);
      const { plan, pinned } = planned;
      result = { at: started, ms: this.now() - started, revision: artifact.revision, plan, pinned, appliedRelease };
    } catch (err) {
      const { code, message } = errorFields(err);
      result = { at: started, ms: this.now() - started, error: { code, message }, appliedRelease };
    }
    this.last.set(handle.project, result);
    return result;
  }
}
