import type { Teardown, WorkloadPlan } from '../../backend.ts';
import { BosunError, Codes } from '../../../errors.ts';
import type { DesiredState } from '../../../model/desired.ts';
import type { ObservedState } from '../../../model/observed.ts';
import type { Plan } from '../../../model/plan.ts';
import { sortedAsText } from '../../../model/sort.ts';
import { assemblePlan, type PlanContext } from '../../../plan/plan.ts';
import { dependencyLevels } from '../../../plan/order.ts';
import type { ContainerOperation as Operation, DockerObserved, ObservedContainer } from '../model.ts';
import { copyNotes, planBuilds } from './builds.ts';
import { planInfra } from './infra.ts';
import { planService, removeOp } from './services.ts';
import { planTeardown, removalPhases } from './teardown.ts';

/**
 * The containers of one engine, as data: pure, no I/O. Networks and volumes come first; then,
 * after the keys, the services by dependsOn level, then retirements and prunes; for a teardown
 * (`bosun down`, against an empty desired state), last, the networks and volumes.
 */
export function planContainers(
  desired: DesiredState,
  observed: ObservedState<DockerObserved>,
  teardown?: Teardown,
): WorkloadPlan<Operation> {
  if (!teardown) refuseComposeHeld(desired, observed);
  const notes: string[] = [];
  const byService = new Map<string, ObservedContainer[]>();
  for (const c of observed.containers) {
    const list = byService.get(c.service);
    if (list) list.push(c);
    else byService.set(c.service, [c]);
  }
  const serviceOps = dependencyLevels(desired.services).map((level) =>
    level.flatMap((s) => planService(desired, s, byService.get(s.name) ?? [])),
  );
  // Duplicates go before anything is created, so replica names are free when needed; start-first
  // predecessors are retired (and leftover names fixed) only after every level is up and healthy.
  const isLate = (op: Operation) => op.kind === 'retire-container' || op.kind === 'rename-container';
  const isDuplicate = (op: Operation) => op.kind === 'remove-container' && op.duplicate === true;
  const cleanup = serviceOps.flat().filter(isDuplicate);
  const levels = serviceOps.map((ops) => ops.filter((op) => !isLate(op) && !isDuplicate(op)));
  const retires = serviceOps.flat().filter(isLate);
  const wanted = new Set(desired.services.map((s) => s.name));
  const orphans = observed.containers.filter((c) => !wanted.has(c.service));
  const prunes = desired.project.prune ? orphans.map((c) => removeOp(c, 'removed from repo')) : [];
  if (!desired.project.prune && !teardown && orphans.length > 0)
    notes.push(`${orphans.length} container(s) of removed services kept: prune is off`);
  const down = teardown ? planTeardown(desired, observed, teardown) : { ops: [], notes: [] };
  // a teardown takes every orphan, dependents first, whatever prune says
  const pruning = teardown
    ? removalPhases(orphans).map((phase) => phase.map((c) => removeOp(c, 'bosun down')))
    : [prunes];
  const infra = planInfra(desired, observed);
  const rollout = [cleanup, ...levels, retires, ...pruning, down.ops];
  const all = [...infra, ...rollout.flat()];
  // built beside the networks, before keys and containers: a failed build replaces nothing
  const builds = planBuilds(desired, observed, all);
  return {
    prepare: [[...infra, ...builds]],
    rollout,
    notes: [...notes, ...copyNotes(desired, all), ...down.notes],
    counts: counts(all),
    seen: seen(observed),
  };
}

function counts(ops: Operation[]): WorkloadPlan['counts'] {
  const count = (kind: Operation['kind']) => ops.filter((o) => o.kind === kind).length;
  return {
    create: count('create-container'),
    replace: count('replace-container'),
    remove: count('remove-container'),
    networks: count('create-network'),
    volumes: count('create-volume'),
    ...(count('remove-network') + count('remove-volume') > 0
      ? { networksRemoved: count('remove-network'), volumesRemoved: count('remove-volume') }
      : {}),
  };
}

/** What a saved plan must find unchanged: every container's id, hash and state, and the infrastructure. */
function seen(observed: DockerObserved): Record<string, unknown> {
  return {
    containers: sortedAsText(observed.containers.map((c) => [c.id, c.specHash, c.state])),
    networks: observed.networks,
    volumes: observed.volumes,
  };
}

/** The whole plan for one engine, Config keys included: what the Docker back end's session computes. */
export function plan(
  desired: DesiredState,
  observed: ObservedState<DockerObserved>,
  at: PlanContext,
  teardown?: Teardown,
): Plan<Operation> {
  return assemblePlan('docker', desired, observed, planContainers(desired, observed, teardown), at);
}

/**
 * A stack `docker compose up` started holds the project's networks, ports and names: bosun
 * takes over only after compose lets go. `down` without `-v` keeps the volumes, whose names
 * bosun keeps too, so the data is found.
 */
function refuseComposeHeld(desired: DesiredState, observed: ObservedState<DockerObserved>): void {
  const held = observed.composeHeld ?? [];
  if (held.length === 0) return;
  const p = desired.project.name;
  const shown = held.length > 5 ? `${held.slice(0, 5).join(', ')} and ${held.length - 5} more` : held.join(', ');
  throw new BosunError(
    Codes.composeOwned,
    `project ${p} is running under docker compose (${shown}): hand it over with "docker compose -p ${p} down" ` +
      `(or "docker-compose -p ${p} down"; without -v, so the volumes and their data stay), then run bosun again`,
    { data: { project: p, containers: held } },
  );
}
