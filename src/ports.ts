/**
 * The outside world, as the pipeline sees it. The CLI and the server choose implementations;
 * everything else depends only on these shapes.
 */
import type { KvEntry, ObservedContainer } from './model/observed.ts';
import type { ContainerBlueprint } from './model/plan.ts';

/** A fetched revision of the repo: only the files under the requested path. */
export interface Artifact {
  /** what the user asked for (URL or local path) */
  repo: string;
  /** the ref as given (branch, tag, sha, or HEAD) */
  ref: string;
  /** the resolved commit sha */
  revision: string;
  /** the folder inside the repo that holds the manifests ('' for the root) */
  path: string;
  /** git tree oid of that folder: the same oid means the same files (and the same desired state) */
  tree?: string;
  /** path relative to `path` → file bytes, for every file under it at that commit */
  files: Map<string, Uint8Array>;
  /**
   * Regular files under `path` left out of `files` for their size (absent: none). The source
   * cannot tell a manifest from a build output; the format reading the repo can, and must
   * refuse to go on without one of its own files rather than take it as deleted.
   */
  skipped?: SkippedFile[];
}

export interface SkippedFile {
  /** relative to the artifact's `path`, like the keys of `files` */
  path: string;
  bytes: number;
}

export interface GitSourceOptions {
  repo: string;
  ref?: string;
  path?: string;
  /** where remote repos are cached between runs, so later fetches are incremental */
  cacheDir: string;
  /** http(s) token; used through onAuth, never logged */
  token?: string;
}

/** A key-value store with compare-and-set: etcd, or the embedded file store. */
export interface KvStore {
  /** e.g. `etcd://127.0.0.1:2379` or `file:.bosun/state`, for messages */
  readonly url: string;
  get(key: string): Promise<KvEntry | undefined>;
  /** every key starting with `prefix`, sorted by key */
  list(prefix: string): Promise<KvEntry[]>;
  put(key: string, value: string): Promise<void>;
  /**
   * Writes only if the key's current version is `expected` (null: only if the key is absent).
   * Returns false, writing nothing, when someone else got there first.
   */
  putIf(key: string, value: string, expected: string | null): Promise<boolean>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}

export interface ContainerRuntime {
  /** fails with E_DOCKER_UNREACHABLE, naming the endpoint, when the engine does not answer */
  ping(): Promise<void>;
  listContainers(project: string): Promise<ObservedContainer[]>;
  listNetworks(project: string): Promise<string[]>;
  listVolumes(project: string): Promise<string[]>;
  createNetwork(name: string, driver: string, internal: boolean, labels: Record<string, string>): Promise<void>;
  createVolume(name: string, driver: string, labels: Record<string, string>): Promise<void>;
  /** image id for a reference, pulling it when it is not present locally */
  ensureImage(ref: string): Promise<string>;
  createAndStart(bp: ContainerBlueprint, extraLabels: Record<string, string>): Promise<string>;
  /** resolves when running (and healthy, with a healthcheck); rejects with E_CONTAINER_FAILED */
  waitReady(id: string, timeoutMs: number): Promise<void>;
  /** resolves after the container stayed running (and healthy) for `ms`; rejects with why it did not */
  monitor(id: string, ms: number): Promise<void>;
  rename(idOrName: string, name: string): Promise<void>;
  remove(id: string, stopTimeoutSec: number): Promise<void>;
}
