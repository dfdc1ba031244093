/** What the manager says about a project, turned into the back end's observed shapes (pure). */
import type Docker from 'dockerode';
import { Label } from '../../model/labels.ts';
import type { SpecRecord } from '../../model/observed.ts';
import type { ObservedNode, ObservedService, ObservedTask } from './model.ts';
import { projectionOf } from './projection.ts';

// biome-ignore lint/suspicious/noExplicitAny: the engine's task objects are untyped in @types/dockerode
type RawTask = any;

export function toTask(t: RawTask): ObservedTask {
  const labels: Record<string, string> = t.Spec?.ContainerSpec?.Labels ?? {};
  const addresses = (t.NetworksAttachments ?? []).flatMap((n: { Addresses?: string[] }) =>
    (n.Addresses ?? []).map((a) => a.split('/')[0]),
  );
  const release = Number(labels[Label.release]);
  return {
    id: t.ID,
    slot: t.Slot,
    nodeId: t.NodeID ?? '',
    specHash: labels[Label.specHash],
    ...(Number.isSafeInteger(release) && release > 0 ? { release } : {}),
    state: t.Status?.State ?? 'unknown',
    desiredState: t.DesiredState ?? 'unknown',
    error: t.Status?.Err || undefined,
    containerId: t.Status?.ContainerStatus?.ContainerID || undefined,
    addresses,
    hostPorts: (t.Status?.PortStatus?.Ports ?? []).map((p: { PublishedPort?: number; TargetPort?: number }) => ({
      published: p.PublishedPort ?? 0,
      target: p.TargetPort ?? 0,
    })),
  };
}

export function toService(s: Docker.Service, tasks: ObservedTask[]): ObservedService | undefined {
  const spec = s.Spec ?? {};
  const labels = spec.Labels ?? {};
  const service = labels[Label.service];
  const specHash = labels[Label.specHash];
  if (!service || !specHash) return undefined;
  const endpointPorts = (s.Endpoint?.Ports ?? []) as Docker.PortConfig[];
  return {
    id: s.ID,
    name: spec.Name ?? '',
    service,
    version: s.Version?.Index ?? 0,
    specHash,
    spec: parseRecord(labels[Label.spec]),
    replicas: spec.Mode?.Replicated?.Replicas,
    current: projectionOf(spec),
    updateState: (s as { UpdateStatus?: { State?: string } }).UpdateStatus?.State,
    tasks,
    ports: endpointPorts.map((p) => ({
      published: p.PublishedPort ?? 0,
      target: p.TargetPort ?? 0,
      protocol: p.Protocol ?? 'tcp',
      mode: p.PublishMode ?? 'ingress',
    })),
  };
}

function parseRecord(text: string | undefined): SpecRecord | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as SpecRecord;
  } catch {
    return undefined;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: node objects are untyped in @types/dockerode
export function toNode(n: any): ObservedNode {
  return {
    id: n.ID ?? '',
    hostname: n.Description?.Hostname ?? '',
    state: n.Status?.State ?? 'unknown',
    availability: n.Spec?.Availability ?? 'unknown',
    addr: n.Status?.Addr ?? '',
    manager: n.ManagerStatus !== undefined,
  };
}
