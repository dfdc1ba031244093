import type { DesiredState } from './desired.ts';

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
}

/** One changed field between the running spec and the desired one. */
export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
  /** the value comes from a secret Config: renderers show it masked */
  secret?: boolean;
}

export type OperationBody =
  | { kind: 'create-network'; name: string; driver: string; internal: boolean; labels: Record<string, string>; cause: string }
  | { kind: 'create-volume'; name: string; driver: string; labels: Record<string, string>; cause: string }
  | {
      kind: 'put-key';
      key: string;
      value: string;
      previous?: string;
      /** the version observed when planning (null: absent); the write is refused if it moved */
      expectedVersion: string | null;
      secret: boolean;
      cause: string;
    }
  | { kind: 'delete-key'; key: string; previous: string; expectedVersion: string; secret: boolean; cause: string }
  | { kind: 'create-container'; service: string; replica: number; blueprint: ContainerBlueprint; cause: string }
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
  | { kind: 'remove-container'; service: string; replica: number; containerId: string; name: string; stopTimeoutSec: number; cause: string }
  /** a kept container under a leftover name (an interrupted start-first) gets its replica's name */
  | { kind: 'rename-container'; service: string; replica: number; containerId: string; name: string; from: string; cause: string };

/**
 * Operations of one phase may run at the same time; phases run in order (infrastructure, keys,
 * each dependsOn level, prunes, key deletions).
 */
export type Operation = OperationBody & { phase: number };

export type OperationKind = Operation['kind'];

export interface PlanSummary {
  create: number;
  replace: number;
  remove: number;
  keysPut: number;
  keysDeleted: number;
  networks: number;
  volumes: number;
}

export interface Plan {
  project: string;
  repo: string;
  ref: string;
  revision: string;
  /** operations in the order they must run: infrastructure, keys, services by dependsOn, then prunes */
  operations: Operation[];
  summary: PlanSummary;
  /** sha256 of the operations and the observed state they were computed from */
  hash: string;
  /** notes that change nothing but the user should know (e.g. a foreign key left alone) */
  notes: string[];
  desired: DesiredState;
}
