import type { OperationDescriber } from '../backend.ts';
import type { SwarmOperation as Operation } from './model.ts';

const VERBS: Record<Operation['kind'], string> = {
  'create-network': 'create',
  'remove-network': 'remove',
  'create-file': 'create',
  'remove-file': 'remove',
  'create-service': 'create',
  'update-service': 'update',
  'remove-service': 'remove',
};

function imageOf(op: Extract<Operation, { kind: 'create-service' | 'update-service' }>): string {
  const task = op.spec.TaskTemplate as { ContainerSpec?: { Image?: string } } | undefined;
  return task?.ContainerSpec?.Image ?? '';
}

/** Published ports, as the plan must show them: host mode answers only on the task's own node. */
function portsOf(op: Extract<Operation, { kind: 'create-service' | 'update-service' }>): string {
  return (op.spec.EndpointSpec?.Ports ?? [])
    .map(
      (p) =>
        `, port ${p.PublishedPort ?? 'any'}:${p.TargetPort}/${p.Protocol ?? 'tcp'}${p.PublishMode === 'host' ? ' on its node' : ''}`,
    )
    .join('');
}

/** How swarm operations read in plans, progress lines and releases. */
export const swarmDescriber: OperationDescriber<Operation> = {
  symbol(op) {
    if (op.kind === 'update-service') return '~';
    if (op.kind.startsWith('remove-')) return '-';
    return '+';
  },
  verb: (op) => VERBS[op.kind],
  target(op) {
    switch (op.kind) {
      case 'create-network':
      case 'remove-network':
        return `overlay network ${op.name}`;
      case 'create-file':
        return `${op.object.kind} ${op.object.name} (${op.object.labels['bosun.file'] ?? ''})`;
      case 'remove-file':
        return `${op.fileKind} ${op.name}`;
      case 'create-service':
      case 'update-service':
        return `service ${op.spec.Name} (${imageOf(op)} × ${op.replicas}${portsOf(op)})`;
      case 'remove-service':
        return `service ${op.name}`;
    }
  },
  changes: (op) =>
    op.kind === 'update-service' ? { name: op.spec.Name ?? op.service, changes: op.changes } : undefined,
  json(op) {
    switch (op.kind) {
      case 'create-service':
        return { service: op.service, name: op.spec.Name, image: imageOf(op), replicas: op.replicas };
      case 'update-service':
        return {
          service: op.service,
          name: op.spec.Name,
          image: imageOf(op),
          replicas: op.replicas,
          serviceId: op.serviceId,
        };
      case 'remove-service':
        return { service: op.service, name: op.name, serviceId: op.serviceId };
      case 'create-file':
        return { name: op.object.name, fileKind: op.object.kind, path: op.object.labels['bosun.file'] };
      default:
        return { name: op.name };
    }
  },
};
