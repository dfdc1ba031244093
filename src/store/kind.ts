import type { KvStore } from '../ports.ts';
import type { EtcdKv } from './etcd.ts';

/**
 * Whether a store is etcd, without importing etcd3: its client costs ~25 MB of memory, which a
 * one-host controller on the embedded store should not pay.
 */
export function isEtcd(kv: KvStore): kv is EtcdKv {
  return kv.url.startsWith('etcd://');
}
