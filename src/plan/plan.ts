import type { DesiredState } from '../model/desired.ts';
import type { ObservedContainer, ObservedState } from '../model/observed.ts';
import type { Operation, OperationBody, Plan, PlanSummary } from '../model/plan.ts';
import { canonicalJson, sha256 } from '../model/hash.ts';
import { planInfra } from '../backends/docker/plan/infra.ts';
import { planKeys } from './keys.ts';
import { dependencyLevels } from './order.ts';
import { DUPLICATE, planService, removeOp } from '../backends/docker/plan/services.ts';

export interface PlanContext {
  repo: string;
  ref: string;
  revision: string;
}

/**
 * The whole decision, as data: pure, no I/O. Order: networks and volumes, keys (containers
 * read them at creation), services by dependsOn, then prunes and key deletions.
 */
export function plan(desired: DesiredState, observed: ObservedState, ctx: PlanContext): Plan {
  const keys = planKeys(desired, observed);
  const notes = [...keys.notes];
  const byService = new Map<string, ObservedContainer[]>();
  for (const c of observed.containers) {
    const list = byService.get(c.service);
    if (list) list.push(c);
    else byService.set(c.service, [c]);
  }
  const serviceOps = dependencyLevels(desired.services).map((level) => level.flatMap((s) => planService(desired, s, byService.get(s.name) ?? [])));
  // Duplicates go before anything is created, so replica names are free when needed; start-first
  // predecessors are retired (and leftover names fixed) only after every level is up and healthy.
  const isLate = (op: OperationBody) => op.kind === 'retire-container' || op.kind === 'rename-container';
  const isDuplicate = (op: OperationBody) => op.kind === 'remove-container' && op.cause === DUPLICATE;
  const cleanup = serviceOps.flat().filter(isDuplicate);
  const levels = serviceOps.map((ops) => ops.filter((op) => !isLate(op) && !isDuplicate(op)));
  const retires = serviceOps.flat().filter(isLate);
  const wanted = new Set(desired.services.map((s) => s.name));
  const orphans = observed.containers.filter((c) => !wanted.has(c.service));
  const prunes = desired.project.prune ? orphans.map((c) => removeOp(c, 'removed from repo')) : [];
  if (!desired.project.prune && orphans.length > 0) notes.push(`${orphans.length} container(s) of removed services kept: prune is off`);
  const phases = [planInfra(desired, observed), keys.puts, cleanup, ...levels, retires, prunes, keys.deletes].filter((p) => p.length > 0);
  const operations = phases.flatMap((ops, phase): Operation[] => ops.map((op: OperationBody) => ({ ...op, phase })));
  return {
    project: desired.project.name,
    ...ctx,
    operations,
    summary: summarize(operations),
    hash: planHash(operations, observed, ctx.revision),
    notes,
    desired,
  };
}

export function summarize(ops: Operation[]): PlanSummary {
  const count = (kind: Operation['kind']) => ops.filter((o) => o.kind === kind).length;
  return {
    create: count('create-container'),
    replace: count('replace-container'),
    remove: count('remove-container'),
    keysPut: count('put-key'),
    keysDeleted: count('delete-key'),
    networks: count('create-network'),
    volumes: count('create-volume'),
  };
}

/** Covers what the plan does and what it saw, so a saved plan can be refused once the world moved. */
function planHash(ops: Operation[], observed: ObservedState, revision: string): string {
  const seen = {
    containers: sortedAsText(observed.containers.map((c) => [c.id, c.specHash, c.state])),
    keys: sortedAsText(Object.values(observed.keys).map((k) => [k.key, k.version])),
    networks: observed.networks,
    volumes: observed.volumes,
  };
  return sha256(canonicalJson({ revision, ops, seen }));
}

/**
 * The order Array.prototype.sort() gives tuples (by their comma-joined text, so hashes of saved
 * plans stay comparable), with each text built once instead of at every comparison.
 */
function sortedAsText(tuples: string[][]): string[][] {
  const keyed = tuples.map((t) => ({ key: t.join(','), t }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.t);
}

export function isEmpty(p: Plan): boolean {
  return p.operations.length === 0;
}
