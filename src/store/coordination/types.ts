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
  election(project: string, candidate: string, ttlMs: number, onChange: OnLeaderChange): ElectionHandle & { start(): Promise<void> };
  /** endpoints under `prefix`; `onLeaseLost` asks for a re-publish where they hang on a lease */
  endpoints(prefix: string, ttlMs: number, onLeaseLost: () => void): EndpointSink;
}
