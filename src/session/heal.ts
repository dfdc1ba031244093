import { Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { withApplyLock } from './lock.ts';
import { run } from './release-apply.ts';
import type { Session } from './session.ts';

export interface HealResult {
  /** the release the stack was returned to; absent when nothing was ever released, or paused */
  release?: Release;
  plan?: Plan;
  /** set when the latest rollout was paused (failureAction pause): nothing is repaired */
  paused?: Release;
}

/**
 * Drift repair: converge back to the release that is in force (the pinned one, else the latest
 * that succeeded) — never to a newer git revision, and without recording a new release.
 */
export async function heal(session: Session, project: string): Promise<HealResult> {
  await session.backend.ping();
  // compared without the lock first: a look that finds nothing to repair writes nothing
  const first = await compare(session, project);
  if (first.paused || !first.plan || first.plan.operations.length === 0) return first;
  return withApplyLock(session, project, async (signal) => {
    const now = await compare(session, project);
    if (now.release && now.plan && now.plan.operations.length > 0)
      await run(session, now.plan, now.release.number, signal);
    return now;
  });
}

/** The plan back to the release in force, unless a paused rollout leaves the stack to a person. */
async function compare(session: Session, project: string): Promise<HealResult> {
  const paused = await pausedRollout(session, project);
  if (paused) return { paused };
  const release = await session.releaseInForce(project);
  if (!release) return {};
  const { plan } = await session.planRelease(release);
  return { release, plan };
}

/** The latest release, if it is a rollout that failed with failureAction pause (and no pin overrides it). */
async function pausedRollout(session: Session, project: string): Promise<Release | undefined> {
  if (await session.pin(project)) return undefined;
  const latest = await session.releases.latest(project);
  return latest?.status === 'failed' && latest.error?.code === Codes.paused ? latest : undefined;
}
