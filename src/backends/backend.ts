/**
 * The back-end seam: what runs the workloads. A back end observes a project, plans at its own
 * level (containers on one engine, services on a cluster) with a pure function, runs the
 * operations it planned, reports drift events and where replicas answer. Config keys, releases,
 * locks, pins, serve and rollback are written once, above it.
 */
import type { DesiredState } from '../model/desired.ts';
import type { DrainTarget } from '../coord/drain.ts';
import type { Endpoint } from '../model/endpoint.ts';
import type { ObservedState } from '../model/observed.ts';
import type { FieldChange, OperationHead, Plan, WorkloadPlan } from '../model/plan.ts';

export type { WorkloadPlan } from '../model/plan.ts';

/**
 * The repo's files at a revision, for what a back end makes from them (an image's build
 * context). The session serves the revision it holds and fetches any other (a rollback).
 */
export interface RepoFiles {
  /** every file under `dir` (relative to the repo root) at `revision`, keyed relative to `dir` */
  folder(revision: string, dir: string): Promise<RepoFolder>;
}

export interface RepoFolder {
  files: ReadonlyMap<string, Uint8Array>;
  /** keys of `files` git marks executable */
  executables: ReadonlySet<string>;
}

export interface RunContext {
  release: number;
  revision: string;
  /** the project the plan is of (labels what a back end builds for it) */
  project?: string;
  /** called just before the back end removes a workload, so its events are known as bosun's own */
  removing?: (id: string) => void;
  /**
   * Awaited before the back end stops a workload that may take traffic: proxies drop it first
   * (coord/drain.ts). Absent: nobody routes to the project's endpoints through bosun.
   */
  drain?: (target: DrainTarget) => Promise<void>;
  /** the repo's files, for operations that build from them; absent: such an operation fails */
  repo?: RepoFiles;
  /** lines of a long operation's own output as it goes (build steps), for the progress output */
  log?: (line: string) => void;
}

/** One engine event about a managed workload that may mean drift (it died, stopped or vanished). */
export interface WorkloadEvent {
  id: string;
  action: string;
  service: string;
  name?: string;
  /** milliseconds on the host clock */
  timeMs: number;
}

export interface EventFeed {
  close(): void;
}

export interface EventHandlers {
  event(ev: WorkloadEvent): void;
  /** the feed ended or failed: events may have been lost from here on */
  lost(why: string): void;
}

/** How a back end describes its own operations to people and machines; pure (see describers.ts). */
export interface OperationDescriber<W extends OperationHead = OperationHead> {
  symbol(op: W): '+' | '~' | '-';
  verb(op: W): string;
  target(op: W): string;
  /** field-level changes shown under a replacement */
  changes(op: W): { name: string; changes: FieldChange[] } | undefined;
  /** the machine-readable fields of `-o json`, beside kind, action, target and cause */
  json(op: W): Record<string, unknown>;
}

/**
 * A plan that takes the project away (`bosun down`): beside the containers, the networks bosun
 * created for it, and its named volumes only when asked. A normal pass never removes either.
 * Observing for it also finds who else uses them: a foreign user refuses the whole plan.
 */
export interface Teardown {
  volumes: boolean;
}

/**
 * What a pass may take over from another tool that runs the project. `compose`
 * (--adopt-compose): the containers `docker compose` started for a project of the same name
 * are removed before bosun's start (their volumes and networks are used as found); without it
 * the pass is refused, naming the command that hands them over.
 */
export interface Adopt {
  compose?: boolean;
}

export interface Backend<W extends OperationHead = OperationHead, O = unknown> {
  /** e.g. `docker`; recorded in every plan */
  readonly name: string;
  /** where it runs, for messages, e.g. `unix:///var/run/docker.sock` */
  readonly endpoint: string;
  /** fails with a retryable error naming the endpoint when it does not answer */
  ping(): Promise<void>;
  /** one snapshot of the project's workloads (for a teardown, with who else uses what it would remove) */
  observe(project: string, teardown?: Teardown): Promise<O>;
  /** pure: the decision, as data; a teardown that would take something from others throws E_IN_USE */
  plan(desired: DesiredState, observed: ObservedState<O>, teardown?: Teardown, adopt?: Adopt): WorkloadPlan<W>;
  /**
   * Before the first change: resolves every image the plan starts, so a missing one changes
   * nothing. Returns service → image id, recorded with the release (what a rollback restores).
   */
  resolveImages(plan: Plan<W>, observed: ObservedState<O>): Promise<Record<string, string>>;
  /** The desired state with images pinned to the ids a release recorded, where their tags moved since. */
  pinImages(desired: DesiredState, images: Record<string, string>): Promise<DesiredState>;
  /** runs one workload operation it planned: a few engine calls, no decisions */
  run(op: W, ctx: RunContext): Promise<void>;
  /** follows the engine's events about the project's workloads */
  watch(project: string, handlers: EventHandlers): Promise<EventFeed>;
  /** where the project's ready replicas answer */
  endpoints(project: string): Promise<Endpoint[]>;
  /** back ends over several hosts: the hosts that are not ready, and where the project's tasks moved */
  nodesDown?(project: string): Promise<NodeDown[]>;
}

/** A host of a cluster that is not ready (`down`, `unknown`, …) and the project's replicas moved off it. */
export interface NodeDown {
  node: string;
  addr?: string;
  state: string;
  /** `web.2` now runs on node `to` */
  moved: { task: string; to: string }[];
}
