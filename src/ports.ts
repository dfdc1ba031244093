/**
 * The outside world, as the pipeline sees it. The CLI and the server choose implementations;
 * everything else depends only on these shapes.
 */
import type { KvEntry } from './model/observed.ts';
import type { Signer, TrustedSigners } from './model/signer.ts';

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
  /** paths (like the keys of `files`) git marks executable (100755); absent: none */
  executables?: ReadonlySet<string>;
  /**
   * The tree oid of every folder below `path`, keyed relative to it (as `files` is): what a
   * controller of many stacks compares to tell which stack folders a push changed.
   */
  trees?: Map<string, string>;
  /** who signed the commit, when the host policy verifies signatures */
  signer?: Signer;
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
  /**
   * Refuse to apply a revision that does not contain the last release's (the ref was
   * force-pushed). Off: such a move is applied, logged and recorded in the release. A host
   * policy may turn it on.
   */
  refuseForcePush?: boolean;
  /** host policy git.verify: the commit at the ref must be signed by one of these keys */
  verify?: TrustedSigners;
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
  /**
   * Writes and deletes several keys at once, only if every `expect` holds (null: absent);
   * all or nothing. Returns false, changing nothing, when one of them no longer holds.
   */
  commit(txn: KvTxn): Promise<boolean>;
  close(): Promise<void>;
  /** locks, elections and endpoints, as this store does them best */
  readonly coordination: Coordination;
}

/** One all-or-nothing write of several keys (an etcd transaction, one LMDB write transaction). */
export interface KvTxn {
  /** each key's version as last read (null: the key must be absent); at least one */
  expect: { key: string; version: string | null }[];
  put: { key: string; value: string }[];
  delete: string[];
}

/**
 * Coordination a state store provides natively: etcd with leases (a dead holder's lock and
 * endpoints expire with its lease), the embedded store with compare-and-set records. The
 * front-ends in coord/ reach them only through `KvStore.coordination`.
 */
export interface ApplyLock {
  holder: string;
  /** ISO time the lock was taken */
  since: string;
  /**
   * Aborted (reason: a BosunError) when the lock can no longer be trusted: its etcd lease may have
   * expired, or on the embedded store it was taken over. An apply should stop at the next step.
   */
  signal: AbortSignal;
  /** Gives the lock up if it is still ours; safe to call twice. */
  release(): Promise<void>;
}

export interface ElectionHandle {
  /** true between being elected and losing (lease lost, resigned); never true for two live candidates */
  isLeader(): boolean;
  /** the current leader's candidate name, read from the store */
  leader(): Promise<string | undefined>;
  /** leaves the election (a leader steps down at once); no onChange calls follow, except the step-down */
  resign(): Promise<void>;
}

export type OnLeaderChange = (isLeader: boolean, leader: string | undefined) => void;

/** Where an EndpointPublisher writes: `desired` maps `<service>/<replica>` to the JSON value. */
export interface EndpointSink {
  sync(desired: Map<string, string>): Promise<void>;
  close(): Promise<void>;
}

export interface Coordination {
  /** the lock at `key`, waiting up to `waitMs`; held for `ttlMs` past a holder that stops renewing */
  lock(key: string, holder: string, opts: { waitMs: number; ttlMs: number }): Promise<ApplyLock>;
  /** joins the project's election (campaigns once started) */
  election(
    project: string,
    candidate: string,
    ttlMs: number,
    onChange: OnLeaderChange,
  ): ElectionHandle & { start(): Promise<void> };
  /** endpoints under `prefix`; `onLeaseLost` asks for a re-publish where they hang on a lease */
  endpoints(prefix: string, ttlMs: number, onLeaseLost: () => void): EndpointSink;
}
