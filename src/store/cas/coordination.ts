import type { Coordination, KvStore } from '../../ports.ts';
import { CasElection } from './election.ts';
import { KvEndpointSink } from './endpoints.ts';
import { acquireWithCas } from './lock.ts';

/** Coordination on any store with compare-and-set (the embedded store): records with expiry and holder pids. */
export function casCoordination(kv: KvStore): Coordination {
  return {
    lock: (key, holder, opts) => acquireWithCas(kv, key, holder, opts),
    election: (project, candidate, ttlMs, onChange) => new CasElection(kv, project, candidate, ttlMs, onChange),
    endpoints: (prefix) => new KvEndpointSink(kv, prefix),
  };
}
