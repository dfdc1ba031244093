import type { DesiredState } from '../model/desired.ts';
import type { KvEntry, ObservedKeys } from '../model/observed.ts';
import type { KvStore } from '../ports.ts';
import { readOwnedKeys } from '../store/owned-keys.ts';
import type { RecordSealer } from '../trust/sealer.ts';

/** The keys under every desired Config prefix plus every key bosun owns: the store's half of a snapshot. */
export async function observeKeys(kv: KvStore, sealer: RecordSealer, desired: DesiredState): Promise<ObservedKeys> {
  const [ownedKeys, lists] = await Promise.all([
    readOwnedKeys(kv, sealer, desired.project.name),
    Promise.all(desired.configs.map((c) => kv.list(c.prefix))),
  ]);
  const keys: Record<string, KvEntry> = {};
  for (const e of lists.flat()) keys[e.key] = e;
  const outside = ownedKeys.filter((k) => !(k in keys));
  const entries = await Promise.all(outside.map((k) => kv.get(k)));
  for (const e of entries) if (e) keys[e.key] = e;
  return { keys, ownedKeys };
}
