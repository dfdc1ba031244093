/**
 * The store remembers the id of the key its records are sealed with (`/bosun/.state-key-id`,
 * public: an id, not the key). A controller about to create a key for a store that already has
 * one is almost always a host someone forgot to give the cluster's key file: creating a second
 * key there would make it refuse every record and seal new ones the others refuse. It is
 * stopped with a message instead. The marker is not authenticated: rewriting it can only make
 * a new controller refuse to start, which whoever can write etcd could cause anyway.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BosunError, Codes } from '../errors.ts';
import type { KvStore } from '../ports.ts';
import { type LoadedKey, loadOrCreateStateKey } from './state-key.ts';

export const KEY_MARKER = '/bosun/.state-key-id';

/** Loads the key file, creating it only when the store has no key of its own yet (see markKey). */
export async function loadKeyFor(kv: KvStore, file: string): Promise<LoadedKey> {
  const marker = await kv.get(KEY_MARKER);
  if (marker && !fs.existsSync(file)) {
    const abs = path.resolve(file);
    throw new BosunError(
      Codes.stateKey,
      `no state key file at ${abs}, but the records in ${kv.url} are sealed with state key ${marker.value}: copy the key file of the other controllers to ${abs} (or pass --state-key-file); if that key is lost, delete ${KEY_MARKER} and every existing record will be refused and the stack converged from git`,
    );
  }
  return loadOrCreateStateKey(file);
}

/**
 * Records the key's id, if the store has none yet. Called where the first sealed record is
 * written (a release begins), not when the key is loaded: a run refused for bad input writes
 * nothing to the store.
 */
export async function markKey(kv: KvStore, id: string): Promise<void> {
  await kv.putIf(KEY_MARKER, id, null);
}
