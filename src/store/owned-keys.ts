import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { KvStore } from '../ports.ts';
import { updateKey } from './cas/update.ts';
import { projectPrefix } from './layout.ts';

/**
 * The Config keys bosun wrote for a project. Prune deletes only these: a key under a Config
 * prefix that someone else wrote is not bosun's to remove.
 * Stored at /bosun/<project>/owned-keys as a sorted JSON array.
 */
function ownedKeysKey(project: string): string {
  return `${projectPrefix(project)}owned-keys`;
}

export async function readOwnedKeys(kv: KvStore, project: string): Promise<string[]> {
  const entry = await kv.get(ownedKeysKey(project));
  return entry ? parseKeys(entry) : [];
}

/** Adds then removes (a key in both ends up removed), atomically against other writers. */
export async function updateOwnedKeys(kv: KvStore, project: string, added: string[], removed: string[]): Promise<void> {
  if (added.length === 0 && removed.length === 0) return;
  const gone = new Set(removed);
  await updateKey(kv, ownedKeysKey(project), (current) => {
    const keys = new Set([...(current ? parseKeys(current) : []), ...added]);
    const next = [...keys].filter((k) => !gone.has(k)).sort();
    return { value: JSON.stringify(next), result: undefined };
  });
}

function parseKeys(entry: KvEntry): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(entry.value);
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || !parsed.every((k) => typeof k === 'string')) {
    throw new BosunError(Codes.storeCorrupt, `${entry.key} does not hold a JSON array of keys`);
  }
  return parsed;
}
