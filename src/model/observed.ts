import type { ServiceSpec } from './desired.ts';

/** The hashed description of a workload: its service spec and the environment it received. */
export interface SpecRecord {
  /** the spec, with the contents of files copied from the repo left out (their digests stay) */
  service: ServiceSpec;
  env: Record<string, string>;
  /** path → sha256 of the content of each Config file, when the service has any */
  files?: Record<string, string>;
}

export interface KvEntry {
  key: string;
  value: string;
  /** opaque, changes on every write (etcd mod revision, or the embedded store's counter) */
  version: string;
}

/** The Config keys as they are: the same on every back end. */
export interface ObservedKeys {
  /** current values of every key under a desired Config prefix, and of every key bosun owns */
  keys: Record<string, KvEntry>;
  /** keys bosun wrote for this project and has not deleted since */
  ownedKeys: string[];
}

/** What is really there, read once per pass: the back end's workloads `W` plus the keys. */
export type ObservedState<W = unknown> = W & ObservedKeys;
