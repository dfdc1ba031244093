import type { KvStore } from '../../ports.ts';
import { etcdCoordination } from './coordination.ts';
import { EtcdClient } from './kv.ts';

/** etcd as bosun's state store: the client's key operations, and locks, elections and endpoints on leases. */
export class EtcdKv extends EtcdClient implements KvStore {
  readonly coordination = etcdCoordination(this);
}
