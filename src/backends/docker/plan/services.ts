import type { DesiredState, ServiceSpec } from '../../../model/desired.ts';
import { Label } from '../../../model/labels.ts';
import type { FieldChange } from '../../../model/plan.ts';
import { fieldChanges, summarizeChanges } from '../../../plan/changes.ts';
import { serviceFacts, type ServiceFacts } from '../../../plan/facts.ts';
import { rolloutBatch, startGate } from '../../../plan/rollout.ts';
import type { ContainerBlueprint, ContainerOperation as Operation, ObservedContainer } from '../model.ts';
import { blueprintFor } from './blueprint.ts';
import { serviceContainerName } from './names.ts';

/**
 * Operations for one service: a replica is replaced only when its spec-hash differs or it
 * is no longer running; scaling adds or removes the highest replica numbers and leaves the
 * others alone.
 */
export function planService(desired: DesiredState, service: ServiceSpec, observed: ObservedContainer[]): Operation[] {
  const facts = serviceFacts(desired, service);
  const ops: Operation[] = [];
  const byReplica = groupByReplica(observed);
  for (let replica = 1; replica <= service.replicas; replica++) {
    const [keep, ...extra] = rankCandidates(byReplica.get(replica) ?? [], facts.hash);
    for (const dup of extra) ops.push({ ...removeOp(dup, 'duplicate replica'), duplicate: true });
    // built only for an operation that creates a container: a no-op needs none
    const bp = () => blueprintFor(desired, service, replica, facts);
    if (!keep) {
      ops.push({
        kind: 'create-container',
        service: service.name,
        replica,
        blueprint: bp(),
        start: startGate(service),
        cause: 'missing',
      });
      continue;
    }
    const replace = replaceReason(keep, facts);
    const name = serviceContainerName(desired.project.name, service, replica);
    if (replace) ops.push(...replaceOps(service, keep, bp(), replace));
    else if (keep.name !== name)
      ops.push({
        kind: 'rename-container',
        service: service.name,
        replica,
        containerId: keep.id,
        name,
        from: keep.name,
        cause: 'left under a temporary name',
      });
  }
  const surplus = observed
    .filter((c) => c.replica > service.replicas || c.replica < 1)
    .sort((a, b) => b.replica - a.replica);
  const current = byReplica.size;
  for (const c of surplus) ops.push(removeOp(c, `scale ${current} → ${service.replicas}`));
  return ops;
}

/**
 * start-first starts the successor under a temporary name and retires the old container only
 * once the whole release is healthy, so a failed rollout still has the old containers (same
 * ids). A container that is not running has nothing to keep: it is replaced stop-first.
 */
function replaceOps(
  service: ServiceSpec,
  old: ObservedContainer,
  bp: ContainerBlueprint,
  why: { changes: FieldChange[]; cause: string },
): Operation[] {
  // a fixed host port (inherited start-first) can only be freed first, so stop-first it is
  const fixedPort = service.ports.some((p) => p.host !== undefined);
  const startFirst = service.update.order === 'start-first' && old.state === 'running' && !fixedPort;
  const base = { service: service.name, replica: old.replica, containerId: old.id, stopTimeoutSec: stopTimeoutOf(old) };
  const step = { ...base, oldName: old.name, start: startGate(service), batch: rolloutBatch(service), ...why };
  if (!startFirst) return [{ kind: 'replace-container', ...step, order: 'stop-first', blueprint: bp }];
  // an old container left under a temporary name must not lend it to its own successor
  const successor = `${bp.name}-next-${bp.labels[Label.specHash].slice(0, 8)}`;
  if (old.name === successor) return [{ kind: 'replace-container', ...step, order: 'stop-first', blueprint: bp }];
  return [
    { kind: 'replace-container', ...step, order: 'start-first', blueprint: { ...bp, name: successor } },
    { kind: 'retire-container', ...base, name: bp.name, successor, cause: `replaced by ${successor}` },
  ];
}

function replaceReason(c: ObservedContainer, facts: ServiceFacts) {
  if (c.specHash !== facts.hash) {
    const changes = c.spec ? fieldChanges(c.spec, facts.record, facts.secrets) : [];
    return { changes, cause: changes.length > 0 ? summarizeChanges(changes) : 'spec changed' };
  }
  if (c.state !== 'running' && c.state !== 'restarting') {
    const code = c.exitCode === undefined ? '' : ` (code ${c.exitCode})`;
    return { changes: [], cause: `drift: container ${c.state}${code}` };
  }
  return undefined;
}

/** The best container for a replica slot first: matching hash, then running, then newest id. */
function rankCandidates(list: ObservedContainer[], hash: string): ObservedContainer[] {
  const score = (c: ObservedContainer) => (c.specHash === hash ? 2 : 0) + (c.state === 'running' ? 1 : 0);
  return [...list].sort((a, b) => score(b) - score(a) || a.id.localeCompare(b.id));
}

function groupByReplica(list: ObservedContainer[]): Map<number, ObservedContainer[]> {
  const map = new Map<number, ObservedContainer[]>();
  for (const c of list) map.set(c.replica, [...(map.get(c.replica) ?? []), c]);
  return map;
}

export function removeOp(c: ObservedContainer, cause: string): Extract<Operation, { kind: 'remove-container' }> {
  return {
    kind: 'remove-container',
    service: c.service,
    replica: c.replica,
    containerId: c.id,
    name: c.name,
    stopTimeoutSec: stopTimeoutOf(c),
    cause,
  };
}

function stopTimeoutOf(c: ObservedContainer): number {
  const ms = c.spec?.service?.stopGracePeriodMs;
  return typeof ms === 'number' ? Math.ceil(ms / 1000) : 10;
}
