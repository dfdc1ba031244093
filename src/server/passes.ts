import { type BosunError, isTransient } from '../errors.ts';
import type { Release } from '../model/release.ts';
import { type HealResult, heal } from '../session/heal.ts';
import { isUntrusted, unlessUntrusted } from '../trust/sealer.ts';
import { applyUnderLock } from '../session/reconcile.ts';
import type { GitPlanned, Session } from '../session/session.ts';
import { checkBinding, claimAlone } from '../session/binding.ts';
import { withApplyLock } from '../session/lock.ts';
import type { Artifact } from '../ports.ts';
import type { Logger } from './log.ts';

export interface PassDeps {
  session: Session;
  /** the project watched for drift (the repo's, or --project) */
  project: string;
  log: Logger;
}

export interface Outcome {
  result: 'applied' | 'healed' | 'noop' | 'pinned' | 'skipped';
  revision?: string;
  release?: number;
  /** operations a heal applied (0: nothing had drifted) */
  repaired: number;
  /** the pass compared the whole stack with the release in force (a heal) */
  looked?: boolean;
  reason?: string;
}

/**
 * A webhook or poll pass: git is fetched and planned once, without the lock, so that
 * - a plan that only repairs drift at the revision already in force heals (no new release);
 * - a poll does not re-apply, every minute, a revision whose release failed or was rolled back
 *   (a webhook, i.e. a new push or a deliberate redelivery, still does).
 * Only an apply observes again, under the lock. Applies by other processes are kept apart by
 * the pipeline's apply lock (E_LOCKED: busy).
 */
export async function reconcilePass(trigger: 'webhook' | 'poll', d: PassDeps, given?: Artifact): Promise<Outcome> {
  const { session } = d;
  // a stack of a cluster repo comes cut out of the pass's one fetch
  const artifact = given ?? (await session.fetch());
  await session.desired(artifact); // an invalid repo is reported as such, even while the engine is away
  await session.backend.ping();
  const planned = await session.planAt(artifact);
  const project = planned.plan.project;
  if (project !== d.project)
    d.log.warn(
      { project, watching: d.project },
      'the repo names another project than the one watched for drift: restart bosun serve',
    );
  const outcome = await afterPlan(trigger, d, planned);
  // a pass that applied nothing still binds the project (a takeover or an upgrade holds from now)
  if (planned.claim && outcome.result !== 'applied') await bindUnderLock(session, project, planned.artifact);
  return outcome;
}

async function afterPlan(trigger: 'webhook' | 'poll', d: PassDeps, planned: GitPlanned): Promise<Outcome> {
  const { session } = d;
  const revision = planned.artifact.revision;
  const project = planned.plan.project;
  if (planned.pinned) return { ...(await healPass({ ...d, project })), result: 'pinned', revision };
  if (planned.plan.operations.length === 0) return { result: 'noop', revision, repaired: 0 };
  // a release record that fails its checks is as good as none: git is applied as a new release
  const [inForce, latest] = await Promise.all([
    unlessUntrusted(session.releaseInForce(project)),
    unlessUntrusted(session.releases.latest(project)),
  ]);
  if (inForce?.revision === revision) return healPass({ ...d, project });
  const failed = trigger === 'poll' ? failedBefore(latest, revision) : undefined;
  if (failed) return { result: 'skipped', revision, repaired: 0, reason: failed };
  const real = await applyUnderLock(session, planned, { dryRun: false, trigger });
  return {
    result: real.release ? 'applied' : real.pinned ? 'pinned' : 'noop',
    revision,
    release: real.release?.number,
    repaired: 0,
  };
}

/** Decided again under the lock: another pass may have bound it meanwhile. */
function bindUnderLock(session: Session, project: string, artifact: Artifact): Promise<void> {
  return withApplyLock(session, project, async () => {
    const claim = await checkBinding(session, project, artifact);
    if (claim) await claimAlone(session, project, claim);
  });
}

/** Drift repair: back to the release in force (heal() records no new release). */
export async function healPass(d: PassDeps): Promise<Outcome> {
  let r: HealResult;
  try {
    r = await heal(d.session, d.project);
  } catch (err) {
    if (!isUntrusted(err)) throw err;
    return convergeFromGit(d, err as BosunError);
  }
  if (r.paused) {
    const reason = `release ${r.paused.number} paused its rollout (failureAction pause): drift is left for a person to decide`;
    return { result: 'skipped', revision: r.paused.revision, release: r.paused.number, repaired: 0, reason };
  }
  const repaired = r.plan?.operations.length ?? 0;
  const result = repaired > 0 ? 'healed' : 'noop';
  return { result, revision: r.release?.revision, release: r.release?.number, repaired, looked: true };
}

/**
 * The release in force failed its checks, so it says nothing about what should run: the stack is
 * converged to git instead, recorded as a new (sealed) release that later heals return to.
 */
async function convergeFromGit(d: PassDeps, why: BosunError): Promise<Outcome> {
  d.log.warn({ code: why.code }, `the release in force cannot be trusted: converging from git instead`);
  const planned = await d.session.planAt();
  const revision = planned.artifact.revision;
  const reason = `${why.code}: converged from git`;
  if (planned.plan.operations.length === 0) return { result: 'noop', revision, repaired: 0, reason };
  const real = await applyUnderLock(d.session, planned, { dryRun: false, trigger: 'drift' });
  const repaired = real.release ? real.plan.operations.length : 0;
  const result = real.release ? 'healed' : real.pinned ? 'pinned' : 'noop';
  return { result, revision, release: real.release?.number, repaired, looked: true, reason };
}

/**
 * Why `revision` should not be re-applied by a poll, or undefined when it may be. A failure
 * whose code is transient (retry, busy) says nothing about the revision: worth applying again.
 */
export function failedBefore(latest: Release | undefined, revision: string): string | undefined {
  if (!latest || latest.revision !== revision) return undefined;
  const broken =
    latest.status === 'rolled-back' || (latest.status === 'failed' && !isTransient(latest.error?.code ?? ''));
  if (!broken) return undefined;
  return `revision ${revision.slice(0, 12)} already ${latest.status} as release ${latest.number}: push a fix, redeliver the webhook or run bosun reconcile`;
}
