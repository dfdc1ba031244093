import { BosunError, Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { writePin } from '../release/pin.ts';
import { actor, withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import type { Session } from './session.ts';

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
export async function rollbackTo(
  session: Session,
  project: string,
  number: number,
  onPlan?: (plan: Plan) => void,
): Promise<RollbackResult> {
  const target = await session.releases.get(project, number);
  if (target.status !== 'succeeded') {
    throw new BosunError(
      Codes.usage,
      `release ${target.number} ${target.status}: only a release that succeeded can be rolled back to`,
    );
  }
  await session.backend.ping();
  return withApplyLock(session, project, async (signal) => {
    // the exact images the release ran, where their tags have moved since
    const desired = await session.backend.pinImages(target.desired, target.images);
    const { plan } = await session.planRelease(target, desired);
    onPlan?.(plan);
    let release: Release | undefined;
    if (plan.operations.length > 0)
      release = await applyAsRelease(session, plan, { trigger: 'rollback', images: target.images, signal });
    const pinnedTo = release?.number ?? target.number;
    const pin = { release: pinnedTo, target: target.number, at: new Date().toISOString(), by: actor() };
    await writePin(session.kv, session.sealer, project, pin);
    return { target, plan, release, pinnedTo };
  });
}
