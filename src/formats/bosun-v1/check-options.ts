/**
 * Cross-document rules of `spec.options`: what the engine would refuse at create time (a fixed
 * name for several replicas, ports with the host's network, an address outside any subnet) is
 * refused here, at the line that asks for it, before anything runs.
 */
import type { ManifestIssue } from '../../errors.ts';
import { issueAt, positionOf } from './locate.ts';
import { specOf } from './raw.ts';
import { validOfKind, type Manifest, type Valid } from './types.ts';

export function optionIssues(manifests: Manifest[]): ManifestIssue[] {
  const services = validOfKind(manifests, 'Service');
  const subnets = new Map(
    validOfKind(manifests, 'Network').map((n) => [n.name, (specOf(n).ipam ?? []).some((p) => p.subnet)]),
  );
  return [...services.flatMap((m) => serviceOptionIssues(m, subnets)), ...containerNameClashes(services)];
}

function serviceOptionIssues(m: Valid<'Service'>, subnets: Map<string, boolean>): ManifestIssue[] {
  const spec = specOf(m);
  const o = spec.options;
  if (!o) return [];
  const out: ManifestIssue[] = [];
  const at = ['spec', 'options'];
  if (o.containerName !== undefined && (spec.replicas ?? 1) > 1)
    out.push(
      issueAt(m.src, [...at, 'containerName'], `a fixed container name allows one replica, not ${spec.replicas}`),
    );
  if (o.networkMode !== undefined) {
    const mode = `networkMode ${o.networkMode}`;
    if (spec.networks !== undefined) out.push(issueAt(m.src, ['spec', 'networks'], `not allowed with ${mode}`));
    if (o.networkOptions !== undefined) out.push(issueAt(m.src, [...at, 'networkOptions'], `not allowed with ${mode}`));
    if (o.networkMode !== 'bridge' && (spec.ports ?? []).length > 0)
      out.push(issueAt(m.src, ['spec', 'ports'], `ports cannot be published with ${mode}`));
    return out;
  }
  const mine = new Set(spec.networks ?? ['default']);
  for (const [net, opts] of Object.entries(o.networkOptions ?? {})) {
    const here = [...at, 'networkOptions', net];
    if (!mine.has(net)) out.push(issueAt(m.src, here, `the service is not on network "${net}"`, { onKey: true }));
    else if (opts.ipv4Address !== undefined && subnets.get(net) !== true)
      out.push(
        issueAt(m.src, [...here, 'ipv4Address'], `a fixed address needs a subnet: set ipam of Network "${net}"`),
      );
  }
  return out;
}

/** Two containers cannot share a name: the second create would fail half-way through a rollout. */
function containerNameClashes(services: Valid<'Service'>[]): ManifestIssue[] {
  const first = new Map<string, Valid<'Service'>>();
  const out: ManifestIssue[] = [];
  for (const m of services) {
    const name = specOf(m).options?.containerName;
    if (name === undefined) continue;
    const prev = first.get(name);
    const at = ['spec', 'options', 'containerName'];
    if (!prev) first.set(name, m);
    else {
      const where = `${prev.src.file}:${positionOf(prev.src, at).line}`;
      out.push(issueAt(m.src, at, `container name ${name} is already used by Service "${prev.name}" (${where})`));
    }
  }
  return out;
}
