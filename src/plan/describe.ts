import type { FieldChange, Operation, PlanSummary } from '../model/plan.ts';
import { show } from './changes.ts';

/** Shared wording for every renderer, so text, Markdown and release records say the same thing. */
export const SECRET = '(secret)';

export function symbolOf(op: Operation): '+' | '~' | '-' {
  if (op.kind === 'replace-container' || op.kind === 'rename-container') return '~';
  if (op.kind === 'remove-container' || op.kind === 'delete-key' || op.kind === 'retire-container') return '-';
  if (op.kind === 'put-key' && op.previous !== undefined) return '~';
  return '+';
}

export function targetOf(op: Operation): string {
  switch (op.kind) {
    case 'create-network':
      return `network ${op.name}`;
    case 'create-volume':
      return `volume ${op.name}`;
    case 'put-key':
      return `key ${op.key} = ${op.secret ? SECRET : JSON.stringify(op.value)}`;
    case 'delete-key':
      return `key ${op.key}`;
    case 'create-container':
    case 'replace-container':
      return `container ${op.blueprint.name} (${op.blueprint.image})`;
    case 'remove-container':
    case 'retire-container':
      return `container ${op.name}`;
    case 'rename-container':
      return `container ${op.from} → ${op.name}`;
  }
}

export function verbOf(op: Operation): string {
  const verbs: Record<Operation['kind'], string> = {
    'create-network': 'create',
    'create-volume': 'create',
    'put-key': 'put',
    'delete-key': 'delete',
    'create-container': 'create',
    'replace-container': 'replace',
    'remove-container': 'remove',
    'retire-container': 'retire',
    'rename-container': 'rename',
  };
  return verbs[op.kind];
}

/** `+ create container shop-web-1 (nginx:1.27)  — missing` */
export function describe(op: Operation): string {
  return `${symbolOf(op)} ${verbOf(op)} ${targetOf(op)} — ${op.cause}`;
}

export function changeLines(op: Operation): string[] {
  if (op.kind !== 'replace-container') return [];
  return op.changes.map(changeLine);
}

export function changeLine(c: FieldChange): string {
  if (c.secret) return `${c.path}: ${SECRET} → ${SECRET}`;
  return `${c.path}: ${show(c.from)} → ${show(c.to)}`;
}

export function summaryLine(s: PlanSummary): string {
  const parts = [
    `${s.create} to create`,
    `${s.replace} to replace`,
    `${s.remove} to remove`,
    `${s.keysPut} key(s) to put`,
    `${s.keysDeleted} key(s) to delete`,
  ];
  if (s.networks + s.volumes > 0) parts.push(`${s.networks} network(s) and ${s.volumes} volume(s) to create`);
  return parts.join(', ');
}
