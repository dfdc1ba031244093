import type { OperationDescriber } from '../backend.ts';
import type { ContainerOperation as Operation } from './model.ts';

const VERBS: Record<Operation['kind'], string> = {
  'build-image': 'build',
  'create-network': 'create',
  'create-volume': 'create',
  'remove-network': 'remove',
  'remove-volume': 'remove',
  'create-container': 'create',
  'replace-container': 'replace',
  'remove-container': 'remove',
  'retire-container': 'retire',
  'rename-container': 'rename',
};

/** How container operations read in plans, progress lines and releases. */
export const dockerDescriber: OperationDescriber<Operation> = {
  symbol(op) {
    if (op.kind === 'replace-container' || op.kind === 'rename-container') return '~';
    if (op.kind === 'remove-container' || op.kind === 'retire-container') return '-';
    if (op.kind === 'remove-network' || op.kind === 'remove-volume') return '-';
    return '+';
  },
  verb: (op) => VERBS[op.kind],
  target(op) {
    switch (op.kind) {
      case 'create-network':
      case 'remove-network':
        return `network ${op.name}`;
      case 'create-volume':
      case 'remove-volume':
        return `volume ${op.name}`;
      case 'create-container':
      case 'replace-container':
        return `container ${op.blueprint.name} (${op.blueprint.image}${platformOf(op.blueprint)})`;
      case 'remove-container':
      case 'retire-container':
        return `container ${op.name}`;
      case 'rename-container':
        return `container ${op.from} → ${op.name}`;
      case 'build-image':
        return `${op.service} from ./${op.build.context}@${op.build.identity.slice(0, 12)}`;
    }
  },
  changes: (op) => (op.kind === 'replace-container' ? { name: op.blueprint.name, changes: op.changes } : undefined),
  json(op) {
    switch (op.kind) {
      case 'create-container':
        return { service: op.service, replica: op.replica, name: op.blueprint.name, image: op.blueprint.image };
      case 'replace-container':
        return {
          service: op.service,
          replica: op.replica,
          name: op.blueprint.name,
          image: op.blueprint.image,
          containerId: op.containerId,
        };
      case 'remove-container':
        return { service: op.service, replica: op.replica, name: op.name, containerId: op.containerId };
      case 'build-image':
        return { service: op.service, image: op.image, context: op.build.context, identity: op.build.identity };
      default:
        return { name: op.name };
    }
  },
};

function platformOf(bp: { options?: { platform?: string } }): string {
  return bp.options?.platform ? `, ${bp.options.platform}` : '';
}
