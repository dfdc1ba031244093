import { BosunError, Codes } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import type { ObservedKeys } from '../model/observed.ts';
import type { KeyOperation as Operation } from '../model/plan.ts';

/** One key the repo wants, with what its Config says about it. */
interface WantedKey {
  value: string;
  secret: boolean;
  config: string;
  adopt: boolean;
}

/**
 * Config keys: put what is missing or different, delete only keys bosun itself wrote and the
 * repo no longer has. A key someone else wrote is never overwritten unless its Config says
 * `adopt: true`, and its value never enters the plan (another team's values stay unprinted,
 * in text, JSON, saved plans and releases alike). A foreign key the repo does not name is only noted.
 */
export function planKeys(
  desired: DesiredState,
  observed: ObservedKeys,
): { puts: Operation[]; deletes: Operation[]; notes: string[] } {
  const wanted = desiredKeys(desired);
  const owned = new Set(observed.ownedKeys);
  const puts: Operation[] = [];
  const foreign: string[] = [];
  for (const [key, want] of wanted) {
    const current = observed.keys[key];
    const isForeign = current !== undefined && !owned.has(key);
    if (isForeign && want.adopt) puts.push(adoptOp(key, want, current.version));
    else if (isForeign && current.value !== want.value) foreign.push(key);
    else if (current?.value !== want.value) puts.push(putOp(key, want, current));
  }
  if (foreign.length > 0) throw foreignKeysError(desired, foreign, wanted);
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

/** A key bosun owns (or that is missing): written at the version seen. */
function putOp(key: string, want: WantedKey, current: { value: string; version: string } | undefined): Operation {
  return {
    kind: 'put-key',
    key,
    value: want.value,
    previous: current?.value,
    expectedVersion: current?.version ?? null,
    secret: want.secret,
    cause: current === undefined ? 'missing' : 'value differs from repo',
  };
}

/** Taken over even when the value is equal, so it is owned (and deleted once the repo drops it). */
function adoptOp(key: string, want: WantedKey, version: string): Operation {
  return {
    kind: 'put-key',
    key,
    value: want.value,
    expectedVersion: version,
    secret: want.secret,
    adopt: true,
    cause: `existed, not written by bosun: taken over (Config ${want.config} has adopt: true)`,
  };
}

/** Every refused key at once, each at the Config that names it. */
function foreignKeysError(desired: DesiredState, keys: string[], wanted: Map<string, WantedKey>): BosunError {
  const lines = keys.map((key) => {
    const config = wanted.get(key)?.config ?? '';
    const at = desired.locations[`Config/${config}`];
    const where = at ? `${at.file}:${at.line}:${at.col} ` : '';
    return `${where}Config ${config}: key ${key} exists and was not written by bosun for project ${desired.project.name}: not overwritten (set spec.adopt: true on this Config to take it over)`;
  });
  const noun = keys.length === 1 ? 'key' : 'keys';
  return new BosunError(Codes.keyForeign, `${keys.length} ${noun} not owned by the project:\n${lines.join('\n')}`, {
    data: { project: desired.project.name, keys },
  });
}

export function desiredKeys(desired: DesiredState): Map<string, WantedKey> {
  const keys = new Map<string, WantedKey>();
  for (const cfg of desired.configs) {
    for (const [k, value] of Object.entries(cfg.data))
      keys.set(cfg.prefix + k, { value, secret: cfg.secret, config: cfg.name, adopt: cfg.adopt === true });
  }
  return keys;
}
