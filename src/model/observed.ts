import type { ServiceSpec } from './desired.ts';

/** The hashed description of a container: its service spec and the environment it received. */
export interface SpecRecord {
  service: ServiceSpec;
  env: Record<string, string>;
  /** path → sha256 of the content of each Config file, when the service has any */
  files?: Record<string, string>;
}

/** What is really there, read once per reconcile. */
export interface ObservedContainer {
  id: string;
  name: string;
  service: string;
  replica: number;
  specHash: string;
  /** what it was created from (label `bosun.spec`), for field-level diffs; absent if unreadable */
  spec?: SpecRecord;
  release?: number;
  revision?: string;
  image: string;
  /** the engine's id of the image it runs (`sha256:…`) */
  imageId?: string;
  state: string; // created | running | restarting | exited | paused | dead | removing
  health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  exitCode?: number;
}

export interface KvEntry {
  key: string;
  value: string;
  /** opaque, changes on every write (etcd mod revision, or the embedded store's counter) */
  version: string;
}

export interface ObservedState {
  containers: ObservedContainer[];
  /** docker names of the project's networks and volumes */
  networks: string[];
  volumes: string[];
  /** current values of every key under a desired Config prefix, and of every key bosun owns */
  keys: Record<string, KvEntry>;
  /** keys bosun wrote for this project and has not deleted since */
  ownedKeys: string[];
}
