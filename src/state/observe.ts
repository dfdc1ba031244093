import type { DesiredState } from '../model/desired.ts';
import type { KvEntry, ObservedState } from '../model/observed.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { readOwnedKeys } from '../store/owned-keys.ts';

/**
 * ONE snapshot of what is real: the project's containers, networks and volumes (one list call
 * each) and the keys under every desired Config prefix plus every key bosun owns.
 */
export async function observe(runtime: ContainerRuntime, kv: KvStore, desired: DesiredState): Promise<ObservedState> {
  const project = desired.project.name;
  const [containers, networks, volumes, ownedKeys] = await Promise.all([
    runtime.listContainers(project),
    runtime.listNetworks(project),
    runtime.listVolumes(project),
    readOwnedKeys(kv, project),
  ]);
  const keys = await readKeys(kv, desired.configs.map((c) => c.prefix), ownedKeys);
  return { containers, networks, volumes, keys, ownedKeys };
}

async function readKeys(kv: KvStore, prefixes: string[], owned: string[]): Promise<Record<string, KvEntry>> {
  const keys: Record<string, KvEntry> = {};
  const lists = await Promise.all(prefixes.map((p) => kv.list(p)));
  for (const e of lists.flat()) keys[e.key] = e;
  const outside = owned.filter((k) => !(k in keys));
  const entries = await Promise.all(outside.map((k) => kv.get(k)));
  for (const e of entries) if (e) keys[e.key] = e;
  return keys;
}
