import type { DesiredState } from './desired.ts';

/** One changed field between the running spec and the desired one. */
export interface FieldChange {
  path: string;
  from: unknown;
  to: unknown;
  /** the value comes from a secret Config: renderers show it masked */
  secret?: boolean;
}

/** How a step that starts new workload is gated: ready within `readyTimeoutMs`, then healthy for `monitorMs`. */
export interface StartGate {
  readyTimeoutMs: number;
  monitorMs: number;
}

/** Steps of one batch run `parallelism` at a time, with `delayMs` after each (a rolling update). */
export interface Batch {
  key: string;
  parallelism: number;
  delayMs: number;
}

/**
 * What every operation says about itself, whichever back end planned it: the executor reads
 * only these fields, so every decision about pacing and gating is taken by the planner.
 */
export interface OperationHead {
  kind: string;
  cause: string;
  /** the service the operation belongs to: failures name it, and what comes after it */
  service?: string;
  /** set when the operation starts new workload */
  start?: StartGate;
  /** set when the operation is one step of a rolling update */
  batch?: Batch;
}

/** Config keys are the same on every back end: they live in the state store. */
export type KeyOperation =
  | {
      kind: 'put-key';
      key: string;
      value: string;
      previous?: string;
      /** the version observed when planning (null: absent); the write is refused if it moved */
      expectedVersion: string | null;
      secret: boolean;
      /** the key exists but bosun did not write it: taken over (Config adopt), its value never carried */
      adopt?: true;
      cause: string;
    }
  | { kind: 'delete-key'; key: string; previous: string; expectedVersion: string; secret: boolean; cause: string };

/**
 * Operations of one phase may run at the same time; phases run in order (preparation such as
 * networks, keys, the rollout, key deletions).
 */
export type Operation<W extends OperationHead = OperationHead> = (KeyOperation | W) & OperationHead & { phase: number };

export function isKeyOperation(op: OperationHead): op is KeyOperation {
  return op.kind === 'put-key' || op.kind === 'delete-key';
}

export interface PlanSummary {
  create: number;
  replace: number;
  remove: number;
  keysPut: number;
  keysDeleted: number;
  networks: number;
  volumes: number;
  /** removed by `bosun down` (absent in plans and releases made before it) */
  networksRemoved?: number;
  volumesRemoved?: number;
}

export interface Plan<W extends OperationHead = OperationHead> {
  /** the back end that planned (and will run) the workload operations */
  backend: string;
  project: string;
  repo: string;
  ref: string;
  revision: string;
  /** operations in the order they must run */
  operations: Operation<W>[];
  summary: PlanSummary;
  /** sha256 of the operations and the observed state they were computed from */
  hash: string;
  /** notes that change nothing but the user should know (e.g. a foreign key left alone) */
  notes: string[];
  desired: DesiredState;
}

/** What a back end's pure planner returns; keys are planned (and placed between the two) by the caller. */
export interface WorkloadPlan<W extends OperationHead = OperationHead> {
  /** phases that must run before Config keys are written (networks, volumes) */
  prepare: W[][];
  /** phases after the keys: the rollout in dependency order, then retirements and prunes */
  rollout: W[][];
  notes: string[];
  /** how many workload operations of each kind, for the plan's summary */
  counts: Omit<PlanSummary, 'keysPut' | 'keysDeleted'>;
  /** what the plan was computed from, as far as a saved plan must find it unchanged */
  seen: Record<string, unknown>;
}
