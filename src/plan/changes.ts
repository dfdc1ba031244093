import diff from 'microdiff';
import { HASH_EXCLUDED_FIELDS } from '../model/hash.ts';
import type { SpecRecord } from '../model/observed.ts';
import type { FieldChange } from '../model/plan.ts';
import type { SecretFields } from './facts.ts';

/**
 * Field-level differences between what a container was created from and what is desired,
 * as `service.image`-style paths made user-facing (`image`, `env.LOG_LEVEL`).
 */
export function fieldChanges(from: SpecRecord, to: SpecRecord, secrets: SecretFields): FieldChange[] {
  // Fields left out of the hash (replicas, update, dependsOn) never cause a replacement: not listed.
  const changes = diff(from as unknown as Record<string, unknown>, to as unknown as Record<string, unknown>).filter(
    (c) => !(c.path[0] === 'service' && HASH_EXCLUDED_FIELDS.includes(String(c.path[1]) as never)),
  );
  // Sorted by path: the running spec comes back from a label with its keys in another order.
  const sorted = changes.map((c) => ({ ...c, key: displayPath(c.path) })).sort((a, b) => a.key.localeCompare(b.key));
  return sorted.map((c) => {
    const change: FieldChange = {
      path: c.key,
      from: c.type === 'CREATE' ? undefined : c.oldValue,
      to: c.type === 'REMOVE' ? undefined : c.value,
    };
    if (isSecret(c.path, secrets)) change.secret = true;
    return change;
  });
}

function isSecret(path: (string | number)[], secrets: SecretFields): boolean {
  const [top, name] = path;
  if (top === 'env') return name === undefined || secrets.envNames.some((n) => String(name).endsWith(n));
  if (top === 'files') return name === undefined ? secrets.files.size > 0 : secrets.files.has(String(name));
  return false;
}

function displayPath(path: (string | number)[]): string {
  const parts = path[0] === 'service' ? path.slice(1) : path;
  return parts.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

/** One line saying why a container is replaced, e.g. `image a:1 → a:2, env.LEVEL changed`. */
export function summarizeChanges(changes: FieldChange[]): string {
  const shown = changes.slice(0, 3).map((c) => {
    if (c.secret) return `${c.path} changed`;
    if (isScalar(c.from) && isScalar(c.to)) return `${c.path} ${show(c.from)} → ${show(c.to)}`;
    return `${c.path} changed`;
  });
  const more = changes.length > 3 ? ` and ${changes.length - 3} more` : '';
  return shown.join(', ') + more;
}

function isScalar(v: unknown): boolean {
  return v === undefined || v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

export function show(v: unknown): string {
  if (v === undefined) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v);
}
