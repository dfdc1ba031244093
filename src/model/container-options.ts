/** What a service may ask of the engine beyond the core fields: builds, repo copies, engine options. */
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
