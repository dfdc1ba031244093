import { BosunError, Codes } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { writePin } from '../release/pin.ts';
import { ReleaseStore } from '../release/store.ts';
import { observe } from '../state/observe.ts';
import { withApplyLock } from './lock.ts';
import { actor, applyAsRelease } from './release-apply.ts';

export interface RollbackOptions {
  project: string;
  number: number;
  runtime: ContainerRuntime;
  kv: KvStore;
  onPlan?: (plan: Plan) => void;
  progress?: (line: string, op: Operation, ms: number) => void;
  notice?: (line: string) => void;
  lockWaitMs?: number;
}

export interface RollbackResult {
  target: Release;
  plan: Plan;
  /** the new release that re-applied the target; absent when the stack already matched it */
  release?: Release;
  pinnedTo: number;
}

/**
 * Re-applies release N's recorded desired state as a new release (trigger `rollback`) and pins
 * the project there, so polling and webhooks cannot undo it until `bosun resume`.
 */
export async function rollbackTo(opts: RollbackOptions): Promise<RollbackResult> {
  const target = await new ReleaseStore(opts.kv).get(opts.project, opts.number);
  if (target.status !== 'succeeded') {
    throw new BosunError(Codes.usage, `release ${target.number} ${target.status}: only a release that succeeded can be rolled back to`);
  }
  await opts.runtime.ping();
  return withApplyLock(opts.kv, opts.project, opts.lockWaitMs, async (signal) => {
    const desired = await withRecordedImages(target, opts.runtime);
    const observed = await observe(opts.runtime, opts.kv, desired);
    const plan = makePlan(desired, observed, { repo: target.repo, ref: target.ref, revision: target.revision });
    opts.onPlan?.(plan);
    let release: Release | undefined;
    if (plan.operations.length > 0) {
      const applyOpts = { runtime: opts.runtime, kv: opts.kv, trigger: 'rollback' as const, images: target.images, progress: opts.progress, notice: opts.notice, signal };
      release = await applyAsRelease(plan, applyOpts);
    }
    const pinnedTo = release?.number ?? target.number;
    await writePin(opts.kv, opts.project, { release: pinnedTo, at: new Date().toISOString(), by: actor() });
    return { target, plan, release, pinnedTo };
  });
}

/**
 * The exact images the release ran: a tag that has since moved is replaced by the recorded
 * image id, while a tag that still points there is kept (so nothing is replaced needlessly).
 */
async function withRecordedImages(release: Release, runtime: ContainerRuntime): Promise<DesiredState> {
  const services = await Promise.all(
    release.desired.services.map(async (s) => {
      const recorded = release.images[s.name];
      if (!recorded) return s;
      const current = await runtime.ensureImage(s.image).catch(() => undefined);
      return current === recorded ? s : { ...s, image: recorded };
    }),
  );
  return { ...release.desired, services };
}
