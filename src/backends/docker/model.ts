/** The Docker back end's view of a project: containers, as observed and as planned. */
import type { EngineOptions } from './engine-options.ts';
import type { FieldChange, StartGate, Batch } from '../../model/plan.ts';
import type { SpecRecord } from '../../model/observed.ts';
import type { BuildSpec } from '../../model/desired.ts';

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

/** One engine's snapshot of a project: one list call each. */
export interface DockerObserved {
  containers: ObservedContainer[];
  /** docker names of the project's networks and volumes */
  networks: string[];
  volumes: string[];
  /**
   * Names of the engine's other networks and volumes (not labelled for the project): where an
   * external one, or one the format names (compose's `name:`) that was made outside, is found.
   * Absent: none observed.
   */
  elsewhere?: { networks: string[]; volumes: string[] };
  /**
   * Tags of the images bosun built (label `bosun.build.identity`) → the identity each was built
   * for; absent: none observed. A built service's tag is built again unless it holds its identity.
   */
  images?: Record<string, string>;
  /**
   * Observed for a teardown only: network or volume name → the containers that are not the
   * project's (names, sorted) attached to it or mounting it.
   */
  users?: Record<string, string[]>;
  /**
   * Containers docker compose started for a project of the same name (compose's project
   * label, no bosun label), sorted by name; absent when there are none.
   */
  composeHeld?: ComposeContainer[];
}

/** A container of a `docker compose` stack, by compose's labels (service, container-number). */
export interface ComposeContainer {
  id: string;
  name: string;
  service: string;
  replica: number;
}

/**
 * Everything the engine needs to create one container, decided by the planner. The executor
 * adds only the release labels, which are known once the release number is allocated.
 */
export interface ContainerBlueprint {
  name: string;
  service: string;
  replica: number;
  image: string;
  command?: string[];
  entrypoint?: string[];
  env: string[];
  /** Config files copied into the container before it starts */
  files: { path: string; content: string; mode: number }[];
  /** files of the repo copied in before it starts, bytes as base64; absent: none */
  copies?: { path: string; base64: string; mode: number }[];
  labels: Record<string, string>;
  /** `80/tcp` → host binding; hostPort '' lets the engine choose */
  ports: { containerPort: string; hostPort: string; hostIp: string }[];
  mounts: { type: 'volume' | 'bind'; source: string; target: string; readOnly: boolean }[];
  /** docker network names; the first is attached at creation, with the service name as alias */
  networks: string[];
  alias: string;
  healthcheck?: { test: string[]; intervalNs: number; timeoutNs: number; retries: number; startPeriodNs: number };
  restart: string;
  memoryBytes?: number;
  nanoCpus?: number;
  stopTimeoutSec: number;
  user?: string;
  workingDir?: string;
  /** engine options beyond the above (absent: none, so plans of services without them are unchanged) */
  options?: EngineOptions;
}

export type ContainerOperation =
  | {
      /** before anything else: the image a service runs, built from the repo at the revision applied */
      kind: 'build-image';
      service: string;
      /** the tag built */
      image: string;
      build: BuildSpec;
      cause: string;
    }
  | {
      kind: 'create-network';
      name: string;
      driver: string;
      internal: boolean;
      labels: Record<string, string>;
      cause: string;
    }
  | { kind: 'create-volume'; name: string; driver: string; labels: Record<string, string>; cause: string }
  /** bosun down only: after every container of the project is gone */
  | { kind: 'remove-network'; name: string; cause: string }
  | { kind: 'remove-volume'; name: string; cause: string }
  | {
      kind: 'create-container';
      service: string;
      replica: number;
      blueprint: ContainerBlueprint;
      start: StartGate;
      cause: string;
    }
  | {
      kind: 'replace-container';
      service: string;
      replica: number;
      containerId: string;
      oldName: string;
      /** stop-first: the old container goes first; start-first: the new one starts beside it */
      order: 'start-first' | 'stop-first';
      blueprint: ContainerBlueprint;
      stopTimeoutSec: number;
      changes: FieldChange[];
      start: StartGate;
      batch: Batch;
      cause: string;
    }
  | {
      /** start-first only, once the whole release is healthy: the old goes, the new takes its name */
      kind: 'retire-container';
      service: string;
      replica: number;
      containerId: string;
      name: string;
      successor: string;
      stopTimeoutSec: number;
      cause: string;
    }
  | {
      kind: 'remove-container';
      service: string;
      replica: number;
      containerId: string;
      name: string;
      stopTimeoutSec: number;
      /** a second container for one replica slot: removed before anything is created */
      duplicate?: true;
      cause: string;
    }
  /** a kept container under a leftover name (an interrupted start-first) gets its replica's name */
  | {
      kind: 'rename-container';
      service: string;
      replica: number;
      containerId: string;
      name: string;
      from: string;
      cause: string;
    };
