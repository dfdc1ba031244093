/**
 * The fields of a swarm service spec bosun compares to find drift: what `docker service update`
 * commonly changes by hand. The swarm fills in defaults and turns network names into ids, so
 * whole specs never compare equal; these fields read the same from what bosun sends and from
 * what the manager returns.
 */
import type Docker from 'dockerode';
import type { FieldChange } from '../../model/plan.ts';

export const IMAGE_TAG_LABEL = 'bosun.image';
export const IMAGE_ID_LABEL = 'bosun.image-id';

export interface SpecProjection {
  image: string;
  env: string[];
  command: string[];
  args: string[];
  replicas?: number;
  ports: string[];
  mounts: string[];
  memoryBytes: number;
  nanoCpus: number;
}

export function projectionOf(spec: Docker.ServiceSpec): SpecProjection {
  const task = (spec.TaskTemplate ?? {}) as Docker.ContainerTaskSpec;
  const c = task.ContainerSpec ?? {};
  const labels = c.Labels ?? {};
  // run() pins the tag to an image id and records both: the id standing for its tag is no change
  const image = labels[IMAGE_ID_LABEL] && c.Image === labels[IMAGE_ID_LABEL] ? labels[IMAGE_TAG_LABEL] : c.Image;
  return {
    image: image ?? '',
    env: [...(c.Env ?? [])].sort(),
    command: c.Command ?? [],
    args: c.Args ?? [],
    replicas: spec.Mode?.Replicated?.Replicas,
    ports: (spec.EndpointSpec?.Ports ?? [])
      .map((p) => `${p.PublishedPort ?? ''}:${p.TargetPort}/${p.Protocol ?? 'tcp'}`)
      .sort(),
    mounts: (c.Mounts ?? []).map((m) => `${m.Type}:${m.Source ?? ''}:${m.Target}:${m.ReadOnly ? 'ro' : 'rw'}`).sort(),
    memoryBytes: task.Resources?.Limits?.MemoryBytes ?? 0,
    nanoCpus: task.Resources?.Limits?.NanoCPUs ?? 0,
  };
}

/** Fields that differ between what the manager holds and what bosun would send. */
export function projectionChanges(current: SpecProjection, wanted: SpecProjection): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const key of Object.keys(wanted) as (keyof SpecProjection)[]) {
    if (key === 'replicas') continue; // scaling is planned on its own
    const [from, to] = [current[key], wanted[key]];
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push({ path: key, from, to });
  }
  return changes;
}
