import type { DesiredState } from '../../../model/desired.ts';
import { Label } from '../../../model/labels.ts';
import type { ContainerOperation as Operation, DockerObserved } from '../model.ts';
import { networkName, volumeName } from './names.ts';

/** Networks and volumes are created when missing; neither is ever removed by a plan (volumes hold data). */
export function planInfra(desired: DesiredState, observed: DockerObserved): Operation[] {
  const project = desired.project.name;
  const ops: Operation[] = [];
  for (const n of desired.networks) {
    const name = networkName(project, n.name);
    if (observed.networks.includes(name)) continue;
    const labels = { ...n.labels, [Label.project]: project, [Label.network]: n.name };
    ops.push({ kind: 'create-network', name, driver: n.driver, internal: n.internal, labels, cause: 'missing' });
  }
  for (const v of desired.volumes) {
    const name = volumeName(project, v.name);
    if (observed.volumes.includes(name)) continue;
    const labels = { ...v.labels, [Label.project]: project, [Label.volume]: v.name };
    ops.push({ kind: 'create-volume', name, driver: v.driver, labels, cause: 'missing' });
  }
  return ops;
}
