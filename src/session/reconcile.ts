import type { Plan } from '../model/plan.ts';
import type { Release, Trigger } from '../model/release.ts';
import type { Artifact } from '../ports.ts';
import type { Pin } from '../release/pin.ts';
import { unlessUntrusted } from '../trust/sealer.ts';
import { clearLapsedDown } from '../release/down-pin.ts';
import { forcePushOf } from './force-push.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import { claimAlone } from './binding.ts';
import type { GitPlanned, Session } from './session.ts';

export interface ReconcileOptions {
  dryRun: boolean;
  trigger: Trigger;
  /** called with the plan before anything is applied (and for a dry run, and when pinned) */
  onPlan?: (plan: Plan, pinned?: Pin) => void;
  /** git already fetched (a stack cut out of its cluster repo's one fetch); absent: fetched here */
  artifact?: Artifact;
}

export interface ReconcileResult {
  artifact: Artifact;
  plan: Plan;
  /** absent for a dry run, when there was nothing to do, and when pinned */
  release?: Release;
  /** set when a rollback pinned the stack: git was fetched and planned, not applied */
  pinned?: Pin;
}

/**
 * One pass of the pipeline: fetch → validate → observe → plan → (apply → record). Everything
 * that can be refused (bad manifests, unreachable engine, missing image) is refused before the
 * first write, so a refused reconcile changes nothing.
 */
export async function reconcile(session: Session, opts: ReconcileOptions): Promise<ReconcileResult> {
  const artifact = opts.artifact ?? (await session.fetch());
  const project = (await session.desired(artifact)).project.name;
  await session.backend.ping();
  // planned without the lock first, so a pass with nothing to apply reads and writes nothing more
  const [first, unfinished] = await Promise.all([
    session.planAt(artifact),
    !opts.dryRun && leftApplying(session, project),
  ]);
  // an idle pass that binds the project (first run, upgrade, takeover) still writes the binding
  if (opts.dryRun || (isIdle(first) && !unfinished && !first.claim)) return reported(first, opts);
  return applyUnderLock(session, first, opts);
}

/**
 * Applies git at the revision `first` planned: observed and planned again under the lock, so the
 * plan applied is of a world no other apply is changing (and nothing, if that plan is idle).
 */
export function applyUnderLock(session: Session, first: GitPlanned, opts: ReconcileOptions): Promise<ReconcileResult> {
  return withApplyLock(session, first.plan.project, async (signal) => {
    const planned = await session.planAt(first.artifact);
    if (isIdle(planned)) {
      if (planned.claim) await claimAlone(session, planned.plan.project, planned.claim);
      return reported(planned, opts);
    }
    const result = reported(planned, opts);
    const forcePush = await forcePushOf(session, planned.plan);
    const images = await session.backend.resolveImages(planned.plan, planned.observed);
    const release = await applyAsRelease(session, planned.plan, {
      trigger: opts.trigger,
      images,
      signal,
      forcePush,
      binding: planned.claim,
      signer: planned.artifact.signer,
      artifact: planned.artifact,
    });
    await clearLapsedDown(session.kv, session.sealer, planned.plan.project, planned.plan.revision);
    return { ...result, release };
  });
}

/** Nothing would be applied: a no-op, or git is planned but the stack is pinned. */
function isIdle(p: GitPlanned): boolean {
  return p.pinned !== undefined || p.plan.operations.length === 0;
}

/**
 * A release still `applying` outside the lock may belong to a process that died: only the
 * lock path can tell (and record it `interrupted`), so an idle pass takes it then.
 */
async function leftApplying(session: Session, project: string): Promise<boolean> {
  return (await unlessUntrusted(session.releases.newest(project)))?.status === 'applying';
}

/** onPlan sees only the plan a pass ends with, once; the observed state stays inside. */
function reported(p: GitPlanned, opts: ReconcileOptions): ReconcileResult {
  opts.onPlan?.(p.plan, p.pinned);
  return { artifact: p.artifact, plan: p.plan, pinned: p.pinned };
}
