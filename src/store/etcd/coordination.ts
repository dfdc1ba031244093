import type { Coordination } from '../../ports.ts';
import { EtcdElection } from './election.ts';
import { EtcdEndpointSink } from './endpoints.ts';
import type { EtcdClient } from './kv.ts';
import { acquireOnEtcd } from './lock.ts';

/** Coordination on etcd leases: a SIGKILLed holder's lock, candidacy and endpoints expire with its lease. */
export function etcdCoordination(kv: EtcdClient): Coordination {
  return {
    lock: (key, holder, opts) => acquireOnEtcd(kv, key, holder, opts),
    election: (project, candidate, ttlMs, onChange) => new EtcdElection(kv, project, candidate, ttlMs, onChange),
    endpoints: (prefix, ttlMs, onLeaseLost) => new EtcdEndpointSink(kv, prefix, ttlMs, onLeaseLost),
  };
}
