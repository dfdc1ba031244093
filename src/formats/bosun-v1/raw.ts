/**
 * The user-facing YAML shapes, as the JSON Schemas in schemas/ define them. A value is only
 * read through these types after it has passed its schema, so the casts are checked there.
 */
import type { ServiceSpec } from '../../model/desired.ts';
import type { Valid } from './types.ts';

export interface RawUpdate {
  parallelism?: number;
  order?: 'start-first' | 'stop-first';
  delay?: string;
  monitor?: string;
  failureAction?: 'rollback' | 'pause';
}

export interface RawProjectSpec {
  paths?: string[];
  prune?: boolean;
  historyLimit?: number;
  allowEmpty?: boolean;
  update?: RawUpdate;
}

export interface RawPort {
  container: number;
  host?: number;
  protocol?: 'tcp' | 'udp';
  hostIp?: string;
}

export interface RawMount {
  volume?: string;
  hostPath?: string;
  target: string;
  readOnly?: boolean;
}

export interface RawHealthcheck {
  cmd: string[];
  interval?: string;
  timeout?: string;
  retries?: number;
  startPeriod?: string;
}

export interface RawBuild {
  context: string;
  dockerfile?: string;
  target?: string;
  args?: Record<string, string>;
}

export interface RawCopy {
  source: string;
  target: string;
  readOnly?: boolean;
}

export interface RawServiceSpec {
  /** absent only with `build` (the schema's anyOf) */
  image?: string;
  build?: RawBuild;
  copies?: RawCopy[];
  replicas?: number;
  command?: string[];
  entrypoint?: string[];
  env?: Record<string, string | number | boolean>;
  envFrom?: { config: string; prefix?: string }[];
  files?: { config: string; key?: string; target: string; mode?: number }[];
  ports?: RawPort[];
  volumes?: RawMount[];
  networks?: string[];
  healthcheck?: RawHealthcheck;
  dependsOn?: string[];
  update?: RawUpdate;
  restart?: ServiceSpec['restart'];
  resources?: { memory?: number | string; cpus?: number };
  labels?: Record<string, string>;
  stopGracePeriod?: string;
  user?: string;
  workingDir?: string;
  options?: RawOptions;
}

/** `spec.options`: ContainerOptions' keys, sizes written as bosun/v1 writes memory. */
export interface RawOptions {
  containerName?: string;
  hostname?: string;
  init?: boolean;
  tty?: boolean;
  stdinOpen?: boolean;
  readOnlyRootfs?: boolean;
  stopSignal?: string;
  privileged?: boolean;
  capAdd?: string[];
  capDrop?: string[];
  sysctls?: Record<string, string | number | boolean>;
  ulimits?: Record<string, number | { soft: number; hard: number }>;
  tmpfs?: { target: string; size?: number | string; mode?: number }[];
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  shmSize?: number | string;
  logging?: { driver: string; options?: Record<string, string> };
  devices?: { host: string; container?: string; permissions?: string }[];
  networkMode?: 'host' | 'none' | 'bridge';
  platform?: string;
  expose?: { port: number; protocol?: 'tcp' | 'udp' }[];
  networkOptions?: Record<string, { aliases?: string[]; ipv4Address?: string }>;
}

export interface RawConfigSpec {
  prefix: string;
  data?: Record<string, unknown>;
  dataFrom?: Record<string, RawValueSource>;
  secret?: boolean;
  adopt?: boolean;
}

/** Exactly one member is set (the schema's oneOf). */
export interface RawValueSource {
  ageFile?: string;
  env?: string;
  file?: string;
}

export interface RawNetworkSpec {
  driver?: string;
  internal?: boolean;
  labels?: Record<string, string>;
  engineName?: string;
  external?: boolean;
  attachable?: boolean;
  ipam?: { subnet?: string; gateway?: string; ipRange?: string }[];
}

export interface RawVolumeSpec {
  driver?: string;
  labels?: Record<string, string>;
  engineName?: string;
  external?: boolean;
  driverOpts?: Record<string, string>;
}

interface SpecOf {
  Project: RawProjectSpec;
  Service: RawServiceSpec;
  Config: RawConfigSpec;
  Network: RawNetworkSpec;
  Volume: RawVolumeSpec;
}

/** The spec of a schema-valid manifest (an empty one where the kind allows leaving it out). */
export function specOf<K extends keyof SpecOf>(m: Valid<K>): SpecOf[K] {
  return (m.src.value.spec ?? {}) as SpecOf[K];
}
