/**
 * The validated desired state of a manifest folder, remembered by the folder's git tree oid.
 * Validation is a pure function of the files (and of --project), and the tree oid names the
 * files exactly, so a pass over an unchanged folder skips parsing and validating every file.
 */
import { loadDesiredState, type LoadOptions } from '../formats/index.ts';
import type { DesiredState } from '../model/desired.ts';
import { canonicalJson } from '../model/hash.ts';
import type { Artifact } from '../ports.ts';

/** A controller watches one folder, or one per stack of a cluster repo (--stacks). */
const MAX_ENTRIES = 512;

interface Entry {
  tree: string;
  desired: DesiredState;
}

const entries = new Map<string, Entry>();

/**
 * loadDesiredState, skipped when this folder's tree was validated before. Only successes are
 * remembered: an invalid revision is re-checked (and re-reported) on every pass.
 */
export function loadDesiredCached(artifact: Artifact, opts: LoadOptions = {}): DesiredState {
  if (artifact.tree === undefined) return loadDesiredState(artifact, opts);
  const key = `${artifact.repo}\u0000${artifact.path}\u0000${canonicalJson(opts)}`;
  const known = entries.get(key);
  if (known?.tree === artifact.tree) return known.desired;
  const desired = deepFreeze(loadDesiredState(artifact, opts));
  entries.delete(key);
  entries.set(key, { tree: artifact.tree, desired });
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
  return desired;
}

/** For tests: forget everything, so the next pass validates again. */
export function clearDesiredCache(): void {
  entries.clear();
}

/** Every later pass shares this object: frozen, so no pass can change what the next one plans. */
function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  for (const child of Object.values(value)) deepFreeze(child);
  return Object.freeze(value);
}
