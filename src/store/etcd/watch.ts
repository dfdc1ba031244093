import type { Watcher } from 'etcd3';
import type { EtcdClient } from './kv.ts';

export interface PrefixWatch {
  close(): Promise<void>;
}

export interface PrefixWatchHandlers {
  /** the keys under every prefix as they are now; called after the first read and after each change */
  change(keys: ReadonlyMap<string, string>): void;
  /** the watch stream failed; etcd3 reconnects by itself and resumes at the last revision seen */
  trouble(err: Error): void;
}

/**
 * Reads each prefix, then watches it from the revision right after that read, so no change
 * falls between the two (docs/service-discovery.md). No polling: etcd pushes every put and
 * delete, including the deletes of an expired lease.
 */
export async function watchPrefixes(
  client: EtcdClient,
  prefixes: string[],
  handlers: PrefixWatchHandlers,
): Promise<PrefixWatch> {
  const keys = new Map<string, string>();
  const watchers: Watcher[] = [];
  const close = async () => {
    await Promise.all(watchers.map((w) => w.cancel().catch(() => undefined)));
  };
  try {
    for (const prefix of prefixes) watchers.push(await watchOne(client, prefix, keys, handlers));
  } catch (err) {
    await close();
    throw err;
  }
  handlers.change(keys);
  return { close };
}

async function watchOne(
  client: EtcdClient,
  prefix: string,
  keys: Map<string, string>,
  handlers: PrefixWatchHandlers,
): Promise<Watcher> {
  const snapshot = await client.guard(() => client.etcd.getAll().prefix(prefix).exec(), `read ${prefix}*`);
  for (const kv of snapshot.kvs) keys.set(kv.key.toString(), kv.value.toString());
  const next = String(BigInt(snapshot.header.revision) + 1n);
  const watcher = await client.guard(
    () => client.etcd.watch().prefix(prefix).startRevision(next).create(),
    `watch ${prefix}*`,
  );
  watcher.on('put', (kv) => keys.set(kv.key.toString(), kv.value.toString()));
  watcher.on('delete', (kv) => keys.delete(kv.key.toString()));
  watcher.on('data', () => handlers.change(keys));
  watcher.on('error', (err) => handlers.trouble(err));
  return watcher;
}
