import type { Teardown } from '../backends/backend.ts';
import { DEFAULT_UPDATE, type DesiredState } from '../model/desired.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import type { PlanContext } from '../plan/plan.ts';
import { writePin, type Pin } from '../release/pin.ts';
import { actor, withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import type { Session } from './session.ts';

export interface DownTarget {
  project: string;
  /** git as the user named it (--repo): the revision serve must not bring back; else the release in force's */
  at?: PlanContext;
}

export interface DownOptions {
  dryRun: boolean;
  /** named volumes go too (they hold data: never without asking) */
  volumes: boolean;
  /** the Config keys bosun wrote go too */
  keys: boolean;
  /** the plan, before anything is removed (also for a dry run) */
  onPlan?: (plan: Plan) => void;
}

export interface DownResult {
  plan: Plan;
  /** the release that took the stack down; absent for a dry run and when it was down already */
  release?: Release;
  /** the down pin in force afterwards (absent for a dry run) */
  pin?: Pin;
}

/**
 * `bosun down`: a plan against an empty desired state — every container of the project, the
 * networks bosun created for it, its volumes and owned keys only when asked — applied under the
 * project's lock as a release (trigger `down`), then a down pin so that nothing resurrects the
 * stack at the same git revision (release/down-pin.ts). Refused whole when others use a network.
 */
export async function takeDown(session: Session, target: DownTarget, opts: DownOptions): Promise<DownResult> {
  await session.backend.ping();
  const first = await planDown(session, target, opts);
  if (opts.dryRun) {
    opts.onPlan?.(first.plan);
    return { plan: first.plan };
  }
  return withApplyLock(session, target.project, async (signal) => {
    const { plan, pin } = await planDown(session, target, opts);
    opts.onPlan?.(plan);
    if (plan.operations.length === 0 && pin?.down) return { plan, pin };
    // images: nothing is started, and a heal back to this release starts nothing either
    const release = await applyAsRelease(session, plan, { trigger: 'down', images: {}, signal });
    const down: Pin = { release: release.number, at: new Date().toISOString(), by: actor() };
    down.down = { revision: plan.revision };
    await writePin(session.kv, session.sealer, target.project, down);
    return { plan, release, pin: down };
  });
}

async function planDown(session: Session, target: DownTarget, opts: DownOptions): Promise<{ plan: Plan; pin?: Pin }> {
  const [inForce, pin] = await Promise.all([session.releaseInForce(target.project), session.pin(target.project)]);
  const desired = downState(target.project, inForce?.desired, opts.keys);
  const at = target.at ?? { repo: inForce?.repo ?? '', ref: inForce?.ref ?? '', revision: inForce?.revision ?? '' };
  const teardown: Teardown = { volumes: opts.volumes };
  const { plan, observed } = await session.planFor(desired, at, teardown);
  const kept = opts.keys ? 0 : observed.ownedKeys.filter((k) => observed.keys[k]).length;
  if (kept > 0) plan.notes.push(`${kept} Config key(s) bosun wrote kept: bosun down --keys deletes them`);
  return { plan, pin };
}

/**
 * The state a stack is taken down to: no services, networks or volumes. Without --keys it keeps
 * the Config of the release in force, so neither this plan nor a later drift repair back to the
 * down release deletes the keys. A failed removal is left as it is for a person (pause), not
 * undone by starting the stack again.
 */
export function downState(project: string, inForce: DesiredState | undefined, keys: boolean): DesiredState {
  const historyLimit = inForce?.project.historyLimit;
  return {
    project: {
      name: project,
      paths: [],
      prune: true,
      update: { ...DEFAULT_UPDATE, failureAction: 'pause' },
      ...(historyLimit === undefined ? {} : { historyLimit }),
    },
    services: [],
    configs: keys ? [] : (inForce?.configs ?? []),
    networks: [],
    volumes: [],
    locations: {},
  };
}
