/**
 * A desired state read back from a record is checked again before anything runs from it: the
 * record is authenticated, but it was written by a controller (maybe an older or a buggy one),
 * and a container must never be created from a shape the planner was not built for. The JSON
 * schema checks the shape; the structural checks below check what one schema cannot (every
 * reference resolves, names are unique, the project is the record's).
 */
import type { ValidateFunction } from 'ajv';
import type { DesiredState } from '../model/desired.ts';
import { validatorsOf } from '../validators/index.ts';

/** The first problem found, or undefined when `desired` is one bosun can run for `project`. */
export function desiredStateProblem(desired: unknown, project: string): string | undefined {
  const validateShape = validatorsOf('desiredState').DesiredState as ValidateFunction<DesiredState>;
  if (!validateShape(desired)) {
    const e = validateShape.errors?.[0];
    return `desired state${e?.instancePath ?? ''} ${e?.message ?? 'is invalid'}`;
  }
  return structuralProblem(desired, project);
}

function structuralProblem(d: DesiredState, project: string): string | undefined {
  if (d.project.name !== project) return `desired state names project "${d.project.name}", not "${project}"`;
  const names = (kind: string, list: { name: string }[]) => {
    const seen = new Set<string>();
    for (const { name } of list) {
      if (seen.has(name)) return `${kind} "${name}" appears twice`;
      seen.add(name);
    }
    return undefined;
  };
  const duplicate =
    names('service', d.services) ??
    names('Config', d.configs) ??
    names('network', d.networks) ??
    names('volume', d.volumes);
  if (duplicate) return `desired state: ${duplicate}`;
  for (const s of d.services) {
    const missing = missingReference(d, s);
    if (missing) return `desired state: service "${s.name}" ${missing}`;
  }
  return undefined;
}

function missingReference(d: DesiredState, s: DesiredState['services'][number]): string | undefined {
  const configs = new Map(d.configs.map((c) => [c.name, c]));
  const networks = new Set(['default', ...d.networks.map((n) => n.name)]);
  const volumes = new Set(d.volumes.map((v) => v.name));
  const services = new Set(d.services.map((x) => x.name));
  const config = [...s.envFrom, ...(s.files ?? [])].find((r) => !configs.has(r.config));
  if (config) return `reads Config "${config.config}", which the record does not hold`;
  const key = (s.files ?? []).find(
    (f) => f.key !== undefined && !Object.hasOwn(configs.get(f.config)?.data ?? {}, f.key),
  );
  if (key) return `reads key "${key.key}" of Config "${key.config}", which it does not hold`;
  const network = s.networks.find((n) => !networks.has(n));
  if (network) return `is on network "${network}", which the record does not declare`;
  const volume = s.volumes.find((m) => m.volume !== undefined && !volumes.has(m.volume));
  if (volume) return `mounts volume "${volume.volume}", which the record does not declare`;
  const dep = s.dependsOn.find((x) => !services.has(x));
  if (dep) return `depends on service "${dep}", which the record does not hold`;
  return undefined;
}
