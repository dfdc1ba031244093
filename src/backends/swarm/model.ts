/** The Swarm back end's view of a project: services and their tasks on a swarm, observed and planned. */
import type Docker from 'dockerode';
import type { FieldChange, StartGate } from '../../model/plan.ts';
import type { SpecRecord } from '../../model/observed.ts';
import type { SpecProjection } from './projection.ts';

export interface ObservedTask {
  id: string;
  /** the replica slot (replicated services) */
  slot?: number;
  nodeId: string;
  /** the spec hash the task was created from (its container labels) */
  specHash?: string;
  /** the bosun release whose update created the task (its container labels) */
  release?: number;
  state: string;
  desiredState: string;
  error?: string;
  /** container id on its node, once it has one */
  containerId?: string;
  /** addresses on the overlay networks, without prefix length */
  addresses: string[];
  /** ports published on the task's own node (host mode) */
  hostPorts: { published: number; target: number }[];
}

export interface ObservedService {
  id: string;
  name: string;
  service: string;
  /** the object version the swarm wants back on an update */
  version: number;
  specHash: string;
  spec?: SpecRecord;
  replicas?: number;
  /** the fields compared for drift, as the manager holds them */
  current: SpecProjection;
  /** `updating`, `paused`, `completed`, `rollback_started`, … when an update ran */
  updateState?: string;
  tasks: ObservedTask[];
  /** published host ports: `8080/tcp` → target port */
  ports: { published: number; target: number; protocol: string; mode: string }[];
}

export interface ObservedNode {
  id: string;
  hostname: string;
  /** `ready`, `down`, `unknown`, `disconnected` */
  state: string;
  availability: string;
  addr: string;
  manager: boolean;
}

export interface SwarmObserved {
  services: ObservedService[];
  /** names of the project's overlay networks */
  networks: string[];
  /** names of the engine's other networks: where an external one (or one named by `name:`) is found */
  elsewhereNetworks?: string[];
  /** names of the project's swarm configs and secrets (one object per file content) */
  configs: string[];
  secrets: string[];
  nodes: ObservedNode[];
}

/** A Config file of a service as a swarm object: named by its content so a change rolls the service. */
export interface SwarmFileObject {
  kind: 'config' | 'secret';
  name: string;
  /** base64 of the content */
  data: string;
  labels: Record<string, string>;
}

export type SwarmOperation =
  | { kind: 'create-network'; name: string; internal: boolean; labels: Record<string, string>; cause: string }
  | { kind: 'create-file'; object: SwarmFileObject; cause: string; service?: string }
  | {
      kind: 'create-service';
      service: string;
      spec: Docker.CreateServiceOptions;
      replicas: number;
      hash: string;
      start: StartGate;
      cause: string;
    }
  | {
      kind: 'update-service';
      service: string;
      serviceId: string;
      spec: Docker.CreateServiceOptions;
      replicas: number;
      hash: string;
      changes: FieldChange[];
      start: StartGate;
      cause: string;
    }
  | { kind: 'remove-service'; service: string; serviceId: string; name: string; cause: string }
  /** after the rollout: config and secret objects no service of the project uses any more */
  | { kind: 'remove-file'; fileKind: 'config' | 'secret'; name: string; cause: string }
  | { kind: 'remove-network'; name: string; cause: string };
