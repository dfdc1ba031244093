/**
 * The desired state after parsing, validation and normalization: every default filled in,
 * every duration in milliseconds, lists sorted where order carries no meaning. Planning and
 * hashing work on this shape only, never on raw YAML.
 */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
  /** the field inside the document, as the format names it (`spec.volumes[0].hostPath`) */
  path?: string;
}

export interface UpdatePolicy {
  parallelism: number;
  order: 'start-first' | 'stop-first';
  delayMs: number;
  monitorMs: number;
  failureAction: 'rollback' | 'pause';
}

export interface PortSpec {
  container: number;
  /** absent: the engine picks an ephemeral host port (or none is published when `publish` is false) */
  host?: number;
  protocol: 'tcp' | 'udp';
  hostIp?: string;
}

/**
 * At most one of `volume` (a Volume manifest's name) or `hostPath` (absolute) is set; neither
 * means an anonymous volume the engine creates with the container (compose's `- /data`).
 */
export interface MountSpec {
  volume?: string;
  hostPath?: string;
  target: string;
  readOnly: boolean;
}

/** A file or folder of the repo copied into the container before it starts (compose's `./x:/y`). */
export interface RepoCopySpec {
  /** relative to the repo root, as git names it */
  source: string;
  target: string;
  readOnly: boolean;
  /** sha256 over every path and byte copied: part of the spec hash, so a changed file replaces its readers */
  digest: string;
  /** path below `source` ('' when `source` is a file) → file bytes, base64; a release holds them so rollback needs no git */
  content: Record<string, string>;
  /** keys of `content` git marks executable, sorted; absent: none */
  executable?: string[];
}

/** An image built from the repo at the revision (compose's `build:`); the service's `image` is the tag built. */
export interface BuildSpec {
  /** folder of the build context, relative to the repo root */
  context: string;
  /** relative to the context */
  dockerfile: string;
  target?: string;
  args: Record<string, string>;
  /** sha256 of the context's files after .dockerignore, the dockerfile, target and args: the image's identity before any build */
  identity: string;
}

export interface TmpfsSpec {
  target: string;
  sizeBytes?: number;
  mode?: number;
}

export interface DeviceSpec {
  host: string;
  container: string;
  /** cgroup permissions, e.g. `rwm` */
  permissions: string;
}

/**
 * Engine options beyond the core fields, each absent unless set so that older specs keep their
 * hashes. Options giving host-level power (privileged, capAdd, devices, networkMode host) pass
 * the host policy.
 */
export interface ContainerOptions {
  /** fixed container name (compose's container_name): only with one replica */
  containerName?: string;
  hostname?: string;
  init?: boolean;
  tty?: boolean;
  stdinOpen?: boolean;
  readOnlyRootfs?: boolean;
  stopSignal?: string;
  privileged?: boolean;
  /** sorted, upper case without `CAP_` */
  capAdd?: string[];
  capDrop?: string[];
  sysctls?: Record<string, string>;
  ulimits?: Record<string, { soft: number; hard: number }>;
  tmpfs?: TmpfsSpec[];
  /** `name:ip`, sorted */
  extraHosts?: string[];
  dns?: string[];
  dnsSearch?: string[];
  dnsOptions?: string[];
  shmSizeBytes?: number;
  logging?: { driver: string; options: Record<string, string> };
  devices?: DeviceSpec[];
  /** instead of networks: the host's stack, none, or the engine's default bridge */
  networkMode?: 'host' | 'none' | 'bridge';
  platform?: string;
  /** ports opened to other containers only (compose's expose) */
  expose?: { port: number; protocol: 'tcp' | 'udp' }[];
  /** network manifest name → extra aliases and a fixed address on it */
  networkOptions?: Record<string, { aliases?: string[]; ipv4Address?: string }>;
}

export interface HealthcheckSpec {
  cmd: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface EnvFromSpec {
  config: string;
  /** prepended to every variable name taken from the Config */
  prefix: string;
}

/** A Config's values as files: one key at `target`, or every key as a file in the folder `target`. */
export interface FileSpec {
  config: string;
  key?: string;
  target: string;
  mode: number;
}

export interface ServiceSpec {
  name: string;
  image: string;
  replicas: number;
  command?: string[];
  entrypoint?: string[];
  env: Record<string, string>;
  envFrom: EnvFromSpec[];
  /** absent when the service reads no Config files (keeps hashes of older specs stable) */
  files?: FileSpec[];
  ports: PortSpec[];
  volumes: MountSpec[];
  /** Network manifest names; every service is on `default` unless it lists others */
  networks: string[];
  healthcheck?: HealthcheckSpec;
  dependsOn: string[];
  update: UpdatePolicy;
  restart: 'no' | 'always' | 'on-failure' | 'unless-stopped';
  resources: { memoryBytes?: number; cpus?: number };
  labels: Record<string, string>;
  stopGracePeriodMs: number;
  user?: string;
  workingDir?: string;
  /** absent when the image is pulled, not built */
  build?: BuildSpec;
  /** absent when nothing of the repo is copied in */
  copies?: RepoCopySpec[];
  /** absent when no engine option beyond the above is set */
  options?: ContainerOptions;
}

export interface ConfigSpec {
  name: string;
  /** absolute key prefix, always ending in `/` */
  prefix: string;
  /** relative key → stored value: strings as-is, anything structured as JSON */
  data: Record<string, string>;
  secret: boolean;
  /** present (true) when the Config may take over keys that exist but bosun did not write for the project */
  adopt?: true;
  /**
   * Values only the controller can read (age ciphertext, its environment, its secrets dir),
   * as the format loaded them; src/secrets/resolve.ts moves them into `data` before anything
   * plans, so a resolved state never holds this field.
   */
  sealed?: Record<string, SealedValue>;
}

/** Where a value that never enters git in clear comes from. */
export type SealedSource =
  /** an age-encrypted file (base64 of its binary form), from an armored value or a file in the repo */
  | { age: string }
  /** a `BOSUN_SECRET_*` variable of the controller's environment */
  | { env: string }
  /** a file under the controller's secrets dir (relative, checked not to escape it) */
  | { file: string };

export interface SealedValue {
  from: SealedSource;
  /** where the value is declared, for the issue naming it when it cannot be read */
  at: SourceLocation & { path: string };
}

export interface NetworkSpec {
  name: string;
  driver: string;
  internal: boolean;
  labels: Record<string, string>;
  /** the engine's name when the format fixes it (compose: `<project>_<key>` or `name:`); absent: bosun's own naming */
  engineName?: string;
  /** true: must exist already, never created or removed (compose's `external`) */
  external?: boolean;
  ipam?: { subnet?: string; gateway?: string; ipRange?: string }[];
  attachable?: boolean;
}

export interface VolumeSpec {
  name: string;
  driver: string;
  labels: Record<string, string>;
  /** the engine's name when the format fixes it (compose: `<project>_<key>` or `name:`); absent: bosun's own naming */
  engineName?: string;
  /** true: must exist already, never created or removed (compose's `external`) */
  external?: boolean;
  driverOpts?: Record<string, string>;
}

export interface ProjectSpec {
  name: string;
  paths: string[];
  prune: boolean;
  update: UpdatePolicy;
  /** releases kept in the history (absent: --history-limit, else 50) */
  historyLimit?: number;
  /** present (true) when a revision may declare no services although the project has some */
  allowEmpty?: true;
}

export interface DesiredState {
  project: ProjectSpec;
  /** sorted by name */
  services: ServiceSpec[];
  configs: ConfigSpec[];
  networks: NetworkSpec[];
  volumes: VolumeSpec[];
  /**
   * `Kind/name` → where it was declared, for messages; and `Kind/name:field` → where one field
   * the host policy judges was written (keys made by fieldKey), with its path.
   */
  locations: Record<string, SourceLocation>;
}

export const DEFAULT_UPDATE: UpdatePolicy = {
  parallelism: 1,
  order: 'stop-first',
  delayMs: 0,
  monitorMs: 0,
  failureAction: 'rollback',
};

/**
 * The `locations` key of one field a host policy judges: `Service/web:image`, `:replicas`,
 * `:memory`, `:mount:<target>` (a host path mounted at target), `Config/x:prefix`, `Project/x:name`.
 */
export function fieldKey(kind: string, name: string, field: string): string {
  return `${kind}/${name}:${field}`;
}
