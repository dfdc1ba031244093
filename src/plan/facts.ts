import type { ConfigSpec, DesiredState, ServiceSpec } from '../model/desired.ts';
import type { SpecRecord } from '../model/observed.ts';
import { envName, resolveFiles } from '../model/env.ts';
import { canonicalJson, serviceSpecHash, specRecord } from '../model/hash.ts';

/** What planning needs of one service whatever its replicas: derived from the spec and the Configs alone. */
export interface ServiceFacts {
  record: SpecRecord;
  /** the `bosun.spec-hash` its containers must carry */
  hash: string;
  /** the `bosun.spec` label text */
  recordJson: string;
  /** recorded fields that may hold secrets, so field changes show them masked */
  secrets: SecretFields;
}

/**
 * Secret Configs reach containers as files only, but a container created before that rule
 * may still record secret variables in its label: any variable named after a key of a secret
 * Config (whatever its envFrom prefix was) is treated as secret when diffed.
 */
export interface SecretFields {
  envNames: string[];
  files: Set<string>;
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
    secrets: secretFields(desired, service),
  };
  if (cacheable) memo.set(service, { configs: desired.configs, facts });
  return facts;
}

/** What of a service's record may hold secrets: see SecretFields. */
export function secretFields(desired: DesiredState, service: ServiceSpec): SecretFields {
  const secret = desired.configs.filter((c) => c.secret);
  const envNames = [...new Set(secret.flatMap((c) => Object.keys(c.data).map(envName)))].sort();
  const files = new Set(resolveFiles(service, desired.configs).flatMap((f) => (f.secret ? [f.path] : [])));
  return { envNames, files };
}
