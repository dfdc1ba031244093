import type { DesiredState, ServiceSpec } from '../../../model/desired.ts';

/** Docker object names, derived from the project so that projects never collide. */
export function containerName(project: string, service: string, replica: number): string {
  return `${project}-${service}-${replica}`;
}

/** A service's replica's container: the fixed name the spec gives (one replica only), else bosun's. */
export function serviceContainerName(project: string, service: ServiceSpec, replica: number): string {
  return service.options?.containerName ?? containerName(project, service.name, replica);
}

export function networkName(project: string, network: string): string {
  return `${project}_${network}`;
}

export function volumeName(project: string, volume: string): string {
  return `${project}_${volume}`;
}

/** The engine's name of a declared network: the one the format fixed (compose's `name:`), else bosun's. */
export function networkEngineName(desired: DesiredState, network: string): string {
  const spec = desired.networks.find((n) => n.name === network);
  return spec?.engineName ?? networkName(desired.project.name, network);
}

/** The engine's name of a declared volume: the one the format fixed (compose's `name:`), else bosun's. */
export function volumeEngineName(desired: DesiredState, volume: string): string {
  const spec = desired.volumes.find((v) => v.name === volume);
  return spec?.engineName ?? volumeName(desired.project.name, volume);
}
