import type { Adopt, Teardown, WorkloadPlan } from '../../backend.ts';
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
  adopt?: Adopt,
): WorkloadPlan<Operation> {
  const taken = teardown ? [] : composeTaken(desired, observed, adopt);
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
  const cleanup = [...taken, ...serviceOps.flat().filter(isDuplicate)];
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
  if (taken.length > 0) notes.push(`${taken.length} container(s) of docker compose taken over (--adopt-compose)`);
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
  adopt?: Adopt,
): Plan<Operation> {
  return assemblePlan('docker', desired, observed, planContainers(desired, observed, teardown, adopt), at);
}

/**
 * A stack `docker compose up` started holds the project's networks, ports and names: bosun
 * takes over only after compose lets go, or, asked to (--adopt-compose), removes compose's
 * containers before any of its own starts. Either way the volumes stay, under the names bosun
 * keeps too, so the data is found.
 */
function composeTaken(desired: DesiredState, observed: ObservedState<DockerObserved>, adopt?: Adopt): Operation[] {
  const held = observed.composeHeld ?? [];
  if (held.length === 0) return [];
  const cause = "docker compose's container, taken over (--adopt-compose)";
  if (adopt?.compose)
    return held.map((c) => ({
      kind: 'remove-container',
      service: c.service,
      replica: c.replica,
      containerId: c.id,
      name: c.name,
      stopTimeoutSec: COMPOSE_STOP_TIMEOUT_S,
      cause,
    }));
  const p = desired.project.name;
  const names = held.map((c) => c.name);
  const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
  throw new BosunError(
    Codes.composeOwned,
    `project ${p} is running under docker compose (${shown}): hand it over with "docker compose -p ${p} down" ` +
      `(or "docker-compose -p ${p} down"; without -v, so the volumes and their data stay), then run bosun again, ` +
      'or let bosun take its containers over with --adopt-compose',
    { data: { project: p, containers: names } },
  );
}

/** compose's own default (`docker compose down -t`), as its containers' grace period is not listed */
const COMPOSE_STOP_TIMEOUT_S = 10;
