/**
 * The outside world, as the pipeline sees it. The CLI and the server choose implementations;
 * everything else depends only on these shapes.
 */
import type { KvEntry } from './model/observed.ts';
import type { Coordination } from './store/coordination/types.ts';

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
  /** locks, elections and endpoints, as this store does them best */
  readonly coordination: Coordination;
}
