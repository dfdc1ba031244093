import type { DesiredState } from '../model/desired.ts';
import type { ObservedKeys } from '../model/observed.ts';
import type { KeyOperation as Operation } from '../model/plan.ts';

/**
 * Config keys: put what is missing or different, delete only keys bosun itself wrote and the
 * repo no longer has. A key someone else wrote under a prefix is never touched, only noted.
 */
export function planKeys(
  desired: DesiredState,
  observed: ObservedKeys,
): { puts: Operation[]; deletes: Operation[]; notes: string[] } {
  const wanted = desiredKeys(desired);
  const owned = new Set(observed.ownedKeys);
  const puts: Operation[] = [];
  for (const [key, { value, secret }] of wanted) {
    const current = observed.keys[key];
    if (current?.value === value) continue;
    const cause =
      current === undefined
        ? 'missing'
        : owned.has(key)
          ? 'value differs from repo'
          : 'value differs from repo (key was not written by bosun)';
    puts.push({
      kind: 'put-key',
      key,
      value,
      previous: current?.value,
      expectedVersion: current?.version ?? null,
      secret,
      cause,
    });
  }
  const deletes: Operation[] = [];
  for (const key of [...owned].sort()) {
    const current = observed.keys[key];
    if (wanted.has(key) || current === undefined) continue;
    // Once its Config is gone nobody can say whether the value was secret: mask it to be safe.
    deletes.push({
      kind: 'delete-key',
      key,
      previous: current.value,
      expectedVersion: current.version,
      secret: true,
      cause: 'removed from repo',
    });
  }
  const notes = Object.keys(observed.keys)
    .filter((k) => !wanted.has(k) && !owned.has(k))
    .sort()
    .map((k) => `key ${k} is under a Config prefix but was not written by bosun: left alone`);
  return { puts, deletes, notes };
}

export function desiredKeys(desired: DesiredState): Map<string, { value: string; secret: boolean }> {
  const keys = new Map<string, { value: string; secret: boolean }>();
  for (const cfg of desired.configs) {
    for (const [k, value] of Object.entries(cfg.data)) keys.set(cfg.prefix + k, { value, secret: cfg.secret });
  }
  return keys;
}
