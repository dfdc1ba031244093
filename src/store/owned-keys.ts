import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { KvStore } from '../ports.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { updateKey } from './cas/update.ts';
import { projectPrefix } from './layout.ts';

/**
 * The Config keys bosun wrote for a project. Prune deletes only these: a key under a Config
 * prefix that someone else wrote is not bosun's to remove.
 * Stored at /bosun/<project>/owned-keys as a sorted JSON array, sealed with the state key: a
 * forged list would make prune delete keys bosun never wrote. A list that fails its check is
 * reported and read as empty (nothing is pruned), and the next write starts it afresh.
 */
function ownedKeysKey(project: string): string {
  return `${projectPrefix(project)}owned-keys`;
}

export async function readOwnedKeys(kv: KvStore, sealer: RecordSealer, project: string): Promise<string[]> {
  const entry = await kv.get(ownedKeysKey(project));
  return entry ? trusted(sealer, entry) : [];
}

/** Adds then removes (a key in both ends up removed), atomically against other writers. */
export async function updateOwnedKeys(
  kv: KvStore,
  sealer: RecordSealer,
  project: string,
  added: string[],
  removed: string[],
): Promise<void> {
  if (added.length === 0 && removed.length === 0) return;
  const gone = new Set(removed);
  await updateKey(kv, ownedKeysKey(project), (current) => {
    const keys = new Set([...(current ? trusted(sealer, current) : []), ...added]);
    const next = [...keys].filter((k) => !gone.has(k)).sort();
    return { value: sealer.seal(ownedKeysKey(project), next), result: undefined };
  });
}

function trusted(sealer: RecordSealer, entry: KvEntry): string[] {
  let parsed: unknown;
  try {
    parsed = sealer.open<unknown>(entry, 'owned keys record');
  } catch (err) {
    if (err instanceof BosunError && err.code === Codes.recordTampered) return [];
    throw err;
  }
  if (!Array.isArray(parsed) || !parsed.every((k) => typeof k === 'string')) {
    const message = `${entry.key} does not hold a list of keys: not acted on`;
    sealer.refuse(entry.key, new BosunError(Codes.recordInvalid, message, { data: { key: entry.key } }));
    return [];
  }
  return parsed;
}
