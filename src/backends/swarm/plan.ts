/**
 * The services of one swarm, as data: pure, no I/O. Networks and the Config file objects come
 * first; then, after the keys, the services by dependsOn level (create, update, scale); then
 * prunes and the file objects no service uses any more. The swarm places and restarts tasks;
 * bosun decides which spec each service must run.
 */
import type { Teardown, WorkloadPlan } from '../backend.ts';
import type { DesiredState, ServiceSpec } from '../../model/desired.ts';
import { Label } from '../../model/labels.ts';
import type { ObservedState } from '../../model/observed.ts';
import { sortedAsText } from '../../model/sort.ts';
import { fieldChanges, summarizeChanges } from '../../plan/changes.ts';
import { serviceFacts } from '../../plan/facts.ts';
import { dependencyLevels } from '../../plan/order.ts';
import { startGate } from '../../plan/rollout.ts';
import { networkEngineName } from '../docker/plan/names.ts';
import { refuseMissingExternal } from '../docker/plan/infra.ts';
import type { ObservedService, SwarmFileObject, SwarmObserved, SwarmOperation as Operation } from './model.ts';
import { nodeNotes } from './nodes.ts';
import { projectionChanges, projectionOf } from './projection.ts';
import { fileObjects, type SwarmOptions, swarmSpec } from './spec.ts';

export function planSwarm(
  desired: DesiredState,
  observed: ObservedState<SwarmObserved>,
  opts: SwarmOptions,
  teardown?: Teardown,
): WorkloadPlan<Operation> {
  const notes: string[] = nodeNotes(observed);
  const byName = new Map(observed.services.map((s) => [s.service, s]));
  const wantedFiles = new Map<string, SwarmFileObject>();
  const levels = dependencyLevels(desired.services).map((level) =>
    level.flatMap((s) => {
      for (const f of fileObjects(desired, s, serviceFacts(desired, s))) wantedFiles.set(f.name, f);
      return planService(desired, s, byName.get(s.name), opts);
    }),
  );
  const wanted = new Set(desired.services.map((s) => s.name));
  const orphans = observed.services.filter((s) => !wanted.has(s.service));
  const prune = desired.project.prune || teardown !== undefined;
  const prunes = prune ? orphans.map((s) => removeService(s, teardown ? 'bosun down' : 'removed from repo')) : [];
  if (!prune && orphans.length > 0) notes.push(`${orphans.length} service(s) removed from the repo kept: prune is off`);
  if (!opts.mesh && desired.services.some((s) => s.ports.some((p) => p.hostIp)))
    notes.push('host IPs of published ports are not supported on a swarm: ports are published on every address');
  const prepare = [...planNetworks(desired, observed), ...planFiles(wantedFiles, observed)];
  const cleanup = planFileCleanup(wantedFiles, observed);
  const down = teardown
    ? observed.networks.map((name): Operation => ({ kind: 'remove-network', name, cause: 'bosun down' }))
    : [];
  const rollout = [...levels, prunes, cleanup, down];
  const all = [...prepare, ...rollout.flat()];
  return { prepare: [prepare], rollout, notes, counts: counts(all), seen: seen(observed) };
}

function planService(
  desired: DesiredState,
  service: ServiceSpec,
  current: ObservedService | undefined,
  opts: SwarmOptions,
): Operation[] {
  const facts = serviceFacts(desired, service);
  const spec = swarmSpec(desired, service, facts, opts);
  const base = { service: service.name, spec, replicas: service.replicas, hash: facts.hash, start: startGate(service) };
  if (!current) return [{ kind: 'create-service', ...base, cause: 'missing' }];
  const update = { kind: 'update-service' as const, ...base, serviceId: current.id };
  if (current.specHash !== facts.hash) {
    const changes = current.spec ? fieldChanges(current.spec, facts.record, facts.secrets) : [];
    return [{ ...update, changes, cause: changes.length > 0 ? summarizeChanges(changes) : 'spec changed' }];
  }
  const drift = projectionChanges(current.current, projectionOf(spec));
  if (drift.length > 0)
    return [{ ...update, changes: drift, cause: `drift: ${drift.map((c) => c.path).join(', ')} changed by hand` }];
  if (current.current.replicas !== service.replicas) {
    const cause = `scale ${current.current.replicas ?? '?'} → ${service.replicas}`;
    return [
      { ...update, changes: [{ path: 'replicas', from: current.current.replicas, to: service.replicas }], cause },
    ];
  }
  return [];
}

function removeService(s: ObservedService, cause: string): Operation {
  return { kind: 'remove-service', service: s.service, serviceId: s.id, name: s.name, cause };
}

/** By the engine's name the format fixed; an external one is never created (missing, it refuses the plan). */
function planNetworks(desired: DesiredState, observed: SwarmObserved): Operation[] {
  const project = desired.project.name;
  const present = (name: string) =>
    observed.networks.includes(name) || (observed.elsewhereNetworks ?? []).includes(name);
  refuseMissingExternal(desired, (kind, name) => kind === 'volumes' || present(name));
  return desired.networks
    .filter((n) => !present(networkEngineName(desired, n.name)))
    .map((n) => ({
      kind: 'create-network' as const,
      name: networkEngineName(desired, n.name),
      internal: n.internal,
      labels: { ...n.labels, [Label.project]: project, [Label.network]: n.name },
      cause: 'missing',
    }));
}

function planFiles(wanted: Map<string, SwarmFileObject>, observed: SwarmObserved): Operation[] {
  const have = new Set([...observed.configs, ...observed.secrets]);
  return [...wanted.values()]
    .filter((f) => !have.has(f.name))
    .map((object) => ({
      kind: 'create-file' as const,
      object,
      service: object.labels[Label.service],
      cause: 'new content',
    }));
}

/** Objects of earlier specs go once nothing uses them; the swarm refuses to remove one in use. */
function planFileCleanup(wanted: Map<string, SwarmFileObject>, observed: SwarmObserved): Operation[] {
  const gone = (kind: 'config' | 'secret', names: string[]) =>
    names
      .filter((n) => !wanted.has(n))
      .map((name): Operation => ({ kind: 'remove-file', fileKind: kind, name, cause: 'no longer used' }));
  return [...gone('config', observed.configs), ...gone('secret', observed.secrets)];
}

function counts(ops: Operation[]): WorkloadPlan['counts'] {
  const count = (kind: Operation['kind']) => ops.filter((o) => o.kind === kind).length;
  return {
    create: count('create-service'),
    replace: count('update-service'),
    remove: count('remove-service'),
    networks: count('create-network'),
    volumes: 0,
    ...(count('remove-network') > 0 ? { networksRemoved: count('remove-network'), volumesRemoved: 0 } : {}),
  };
}

/** What a saved plan must find unchanged: every service's id, version and hash, and the networks. */
function seen(observed: SwarmObserved): Record<string, unknown> {
  return {
    services: sortedAsText(observed.services.map((s) => [s.id, String(s.version), s.specHash])),
    networks: observed.networks,
  };
}
