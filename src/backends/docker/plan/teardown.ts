import type { Teardown } from '../../backend.ts';
import type { DesiredState } from '../../../model/desired.ts';
import { BosunError, Codes } from '../../../errors.ts';
import type { ServiceSpec } from '../../../model/desired.ts';
import { dependencyLevels } from '../../../plan/order.ts';
import type { ContainerOperation as Operation, DockerObserved, ObservedContainer } from '../model.ts';
import { networkEngineName, volumeEngineName } from './names.ts';

/**
 * `bosun down`, after the containers: the project's networks the desired state does not list,
 * and its volumes only with `--volumes` (they hold data). Anything of someone else's attached to
 * them refuses the whole plan, before the first removal, naming it.
 */
export function planTeardown(
  desired: DesiredState,
  observed: DockerObserved,
  teardown: Teardown,
): { ops: Operation[]; notes: string[] } {
  const wantedNets = new Set(desired.networks.map((n) => networkEngineName(desired, n.name)));
  const wantedVols = new Set(desired.volumes.map((v) => volumeEngineName(desired, v.name)));
  const networks = observed.networks.filter((n) => !wantedNets.has(n));
  const volumes = observed.volumes.filter((v) => !wantedVols.has(v));
  if (!observed.users)
    throw new BosunError(Codes.internal, 'a teardown was planned from a snapshot observed without its users');
  refuseForeignUsers(observed.users, [
    ...networks.map((name) => ['network', name] as const),
    ...(teardown.volumes ? volumes.map((name) => ['volume', name] as const) : []),
  ]);
  const ops: Operation[] = networks.map((name) => ({ kind: 'remove-network', name, cause: 'bosun down' }));
  if (teardown.volumes)
    ops.push(...volumes.map((name): Operation => ({ kind: 'remove-volume', name, cause: 'bosun down --volumes' })));
  const notes = teardown.volumes
    ? []
    : volumes.map((v) => `volume ${v} kept (it holds data): bosun down --volumes removes it`);
  return { ops, notes };
}

/**
 * The order a stack is taken down in, as `docker compose down` does: dependents first (web before
 * the api it dependsOn, before the db), read from the spec each container was created with;
 * containers whose spec cannot be read go in the first phase.
 */
export function removalPhases(containers: ObservedContainer[]): ObservedContainer[][] {
  const specs = new Map<string, ServiceSpec>();
  for (const c of containers) if (c.spec?.service) specs.set(c.service, c.spec.service);
  const unknown = containers.filter((c) => !specs.has(c.service));
  const levels = dependencyLevels([...specs.values()]).reverse();
  const phases = levels.map((level) => {
    const names = new Set(level.map((s) => s.name));
    return containers.filter((c) => specs.has(c.service) && names.has(c.service));
  });
  return [unknown, ...phases].filter((p) => p.length > 0);
}

function refuseForeignUsers(users: Record<string, string[]>, resources: (readonly [string, string])[]): void {
  const used = resources.filter(([, name]) => (users[name] ?? []).length > 0);
  if (used.length === 0) return;
  const what = used.map(([kind, name]) => `${kind} ${name} is used by ${users[name].join(', ')}`).join('; ');
  throw new BosunError(
    Codes.inUse,
    `bosun down refused, nothing was removed: ${what} (not bosun's); remove or disconnect ${used.length === 1 && users[used[0][1]].length === 1 ? 'it' : 'them'} first`,
    { data: { users: Object.fromEntries(used.map(([, name]) => [name, users[name]])) } },
  );
}
