/**
 * Where the fields the host policy judges were written. The policy checks the neutral
 * DesiredState, whose lists are sorted and defaulted; these entries lead each of its
 * findings back to the node the user wrote (keys made by fieldKey).
 */
import { fieldKey, type SourceLocation } from '../../model/desired.ts';
import { formatPath, positionOf } from './locate.ts';
import { capabilities } from './normalize-options.ts';
import { specOf, type RawOptions } from './raw.ts';
import { validOfKind, type Manifest, type Segment, type Valid } from './types.ts';

export function fieldLocations(manifests: Manifest[]): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  const put = (m: Valid, field: string, at: Segment[]) => {
    out[fieldKey(m.kind, m.name, field)] = { file: m.src.file, ...positionOf(m.src, at), path: formatPath(at) };
  };
  for (const m of validOfKind(manifests, 'Project')) put(m, 'name', ['metadata', 'name']);
  for (const m of validOfKind(manifests, 'Config')) put(m, 'prefix', ['spec', 'prefix']);
  for (const m of validOfKind(manifests, 'Service')) {
    const spec = specOf(m);
    // a built image is named by its build (the tag defaults to project, service and identity)
    put(m, 'image', spec.image === undefined ? ['spec', 'build'] : ['spec', 'image']);
    put(m, 'replicas', spec.replicas === undefined ? ['spec'] : ['spec', 'replicas']);
    put(m, 'memory', spec.resources?.memory === undefined ? ['spec'] : ['spec', 'resources', 'memory']);
    (spec.volumes ?? []).forEach((mount, i) => {
      if (mount.hostPath !== undefined) put(m, `mount:${mount.target}`, ['spec', 'volumes', i, 'hostPath']);
    });
    hostPowerLocations(spec.options, (field, at) => put(m, field, ['spec', 'options', ...at]));
  }
  return out;
}

/** The options giving a container power over the host: `:privileged`, `:networkMode`, `:capAdd:<CAP>`, `:device:<host path>`. */
function hostPowerLocations(o: RawOptions | undefined, put: (field: string, at: Segment[]) => void): void {
  if (!o) return;
  if (o.privileged !== undefined) put('privileged', ['privileged']);
  if (o.networkMode !== undefined) put('networkMode', ['networkMode']);
  // backwards, so a capability written twice is located where it was first written
  const caps = o.capAdd ?? [];
  for (let i = caps.length - 1; i >= 0; i--) put(`capAdd:${capabilities([caps[i]!])[0]}`, ['capAdd', i]);
  (o.devices ?? []).forEach((d, i) => put(`device:${d.host}`, ['devices', i, 'host']));
}
