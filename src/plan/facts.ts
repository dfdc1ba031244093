import type { ConfigSpec, DesiredState, ServiceSpec } from '../model/desired.ts';
import type { SpecRecord } from '../model/observed.ts';
import { resolveEnv } from '../model/env.ts';
import { canonicalJson, serviceSpecHash, specRecord } from '../model/hash.ts';

/** What planning needs of one service whatever its replicas: derived from the spec and the Configs alone. */
export interface ServiceFacts {
  record: SpecRecord;
  /** the `bosun.spec-hash` its containers must carry */
  hash: string;
  /** the `bosun.spec` label text */
  recordJson: string;
  /** variables whose values come from secret Configs, so renderers can mask them */
  secretEnv: Set<string>;
}

const memo = new WeakMap<ServiceSpec, { configs: ConfigSpec[]; facts: ServiceFacts }>();

/**
 * Hashing every service is most of what planning a no-op costs. A desired state that is
 * frozen (the controller's cached one, shared by every pass over the same tree) cannot change,
 * so its facts are computed once per spec object; anything not frozen is computed afresh.
 */
export function serviceFacts(desired: DesiredState, service: ServiceSpec): ServiceFacts {
  const cacheable = Object.isFrozen(service) && Object.isFrozen(desired.configs);
  const known = cacheable ? memo.get(service) : undefined;
  if (known && known.configs === desired.configs) return known.facts;
  const record = specRecord(service, desired.configs);
  const facts: ServiceFacts = {
    record,
    hash: serviceSpecHash(service, desired.configs),
    recordJson: canonicalJson(record),
    secretEnv: secretEnvKeys(desired, service),
  };
  if (cacheable) memo.set(service, { configs: desired.configs, facts });
  return facts;
}

/** Variables whose values come from secret Configs, so renderers can mask them. */
export function secretEnvKeys(desired: DesiredState, service: ServiceSpec): Set<string> {
  const keys = new Set<string>();
  for (const ref of service.envFrom) {
    const cfg = desired.configs.find((c) => c.name === ref.config);
    if (!cfg?.secret) continue;
    const one: ServiceSpec = { ...service, env: {}, envFrom: [ref] };
    for (const k of Object.keys(resolveEnv(one, [cfg]))) keys.add(k);
  }
  return keys;
}
