import { describerOf } from '../backends/describers.ts';
import type { FieldChange, Operation, OperationHead, PlanSummary } from '../model/plan.ts';
import { isKeyOperation } from '../model/plan.ts';
import { maskSecrets, SECRET } from '../model/mask.ts';
import { show } from '../plan/changes.ts';

export { SECRET } from '../model/mask.ts';

/** What stands for the value of a key bosun did not write: it is not bosun's to show. */
export const NOT_OWNED = '(not owned)';

/** How one operation reads: the same words in plans, progress lines, releases and status. */
export interface Described {
  symbol: '+' | '~' | '-';
  verb: string;
  target: string;
  /** the field-level changes of a replacement, with the name of what is replaced */
  changes?: { name: string; changes: FieldChange[] };
  /** machine-readable fields for `-o json`, beside kind, action, target and cause */
  json: Record<string, unknown>;
}

/**
 * Keys are described here; workload operations by the back end that planned them. Every
 * renderer reads operations through this, masked first, so no wording can show a secret.
 */
export function described(backend: string, unmasked: OperationHead): Described {
  const op = maskSecrets(unmasked);
  if (isKeyOperation(op)) {
    if (op.kind === 'delete-key')
      return { symbol: '-', verb: 'delete', target: `key ${op.key}`, json: { key: op.key } };
    const value = op.secret ? SECRET : JSON.stringify(op.value);
    // an adopted key's value was someone else's: the plan never holds it, only that it existed
    if (op.adopt)
      return {
        symbol: '~',
        verb: 'adopt',
        target: `key ${op.key} = ${value} (was ${NOT_OWNED})`,
        json: { key: op.key, value: op.value, previous: NOT_OWNED },
      };
    const existed = isKeyOperation(unmasked) && unmasked.previous !== undefined;
    const json = { key: op.key, value: op.value, previous: op.previous };
    return { symbol: existed ? '~' : '+', verb: 'put', target: `key ${op.key} = ${value}`, json };
  }
  const d = describerOf(backend);
  return { symbol: d.symbol(op), verb: d.verb(op), target: d.target(op), changes: d.changes(op), json: d.json(op) };
}

/** `+ create container shop-web-1 (nginx:1.27) — missing` */
export function describe(backend: string, op: Operation): string {
  const d = described(backend, op);
  return `${d.symbol} ${d.verb} ${d.target} — ${op.cause}`;
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
  const removed = (s.networksRemoved ?? 0) + (s.volumesRemoved ?? 0);
  if (removed > 0) parts.push(`${s.networksRemoved ?? 0} network(s) and ${s.volumesRemoved ?? 0} volume(s) to remove`);
  return parts.join(', ');
}
