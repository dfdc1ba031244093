import type { DesiredState, NetworkSpec, VolumeSpec } from '../../../model/desired.ts';
import { BosunError, Codes } from '../../../errors.ts';
import { Label } from '../../../model/labels.ts';
import type { ContainerOperation as Operation, DockerObserved } from '../model.ts';
import { networkEngineName, volumeEngineName } from './names.ts';

/**
 * Networks and volumes are created when missing, by the engine's name the format fixed; neither
 * is ever removed by a plan (volumes hold data). One that exists outside the project (compose's
 * `name:` made elsewhere, or `external`) is used as found. An external one is never created:
 * missing, it refuses the whole plan, before anything is touched.
 */
export function planInfra(desired: DesiredState, observed: DockerObserved): Operation[] {
  const project = desired.project.name;
  const present = (kind: 'networks' | 'volumes', name: string) =>
    observed[kind].includes(name) || (observed.elsewhere?.[kind] ?? []).includes(name);
  refuseMissingExternal(desired, present);
  const ops: Operation[] = [];
  for (const n of desired.networks) {
    const name = networkEngineName(desired, n.name);
    if (present('networks', name)) continue;
    const labels = { ...n.labels, [Label.project]: project, [Label.network]: n.name };
    ops.push({ kind: 'create-network', name, driver: n.driver, internal: n.internal, labels, cause: 'missing' });
  }
  for (const v of desired.volumes) {
    const name = volumeEngineName(desired, v.name);
    if (present('volumes', name)) continue;
    const labels = { ...v.labels, [Label.project]: project, [Label.volume]: v.name };
    ops.push({ kind: 'create-volume', name, driver: v.driver, labels, cause: 'missing' });
  }
  return ops;
}

/** Shared with the swarm back end, whose volumes are made by each node and cannot be checked here. */
export function refuseMissingExternal(
  desired: DesiredState,
  present: (kind: 'networks' | 'volumes', name: string) => boolean,
): void {
  const external = (s: NetworkSpec | VolumeSpec) => s.external === true;
  const missing = [
    ...desired.networks
      .filter(external)
      .map((n) => ['network', n.name, networkEngineName(desired, n.name)] as const)
      .filter(([, , name]) => !present('networks', name)),
    ...desired.volumes
      .filter(external)
      .map((v) => ['volume', v.name, volumeEngineName(desired, v.name)] as const)
      .filter(([, , name]) => !present('volumes', name)),
  ];
  if (missing.length === 0) return;
  const what = missing.map(([kind, key, name]) => `${kind} ${name}${key === name ? '' : ` (${key})`}`).join(', ');
  const create = missing.map(([kind, , name]) => `docker ${kind} create ${name}`).join('; ');
  throw new BosunError(
    Codes.externalMissing,
    `project ${desired.project.name}: external ${what} not found on the engine; bosun never creates an external one: create it first (${create}) or drop external: true. Nothing was changed`,
    { data: { missing: missing.map(([kind, key, name]) => ({ kind, key, name })) } },
  );
}
