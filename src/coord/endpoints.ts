import { BosunError, Codes } from '../errors.ts';
import type { EndpointSink, KvStore } from '../ports.ts';
import { endpointsPrefix } from '../store/coordination/keys.ts';
import type { Endpoint } from '../model/endpoint.ts';

/** Endpoints of a controller that died vanish this long after its last keepalive. */
export const DEFAULT_ENDPOINT_TTL_MS = 10_000;

export type { Endpoint } from '../model/endpoint.ts';

/**
 * Publishes a project's endpoints at /bosun/<project>/endpoints/<service>/<replica> for other
 * programs to watch (docs/service-discovery.md). The publisher owns the whole prefix: `sync`
 * makes it hold exactly the list it is given, so run one publisher per project (the leader).
 * On etcd every key hangs on one lease of this publisher, so a SIGKILLed publisher's endpoints
 * expire after the TTL; on the embedded store they do not expire.
 */
export class EndpointPublisher {
  private readonly sink: EndpointSink;
  private queue: Promise<unknown> = Promise.resolve();
  private last: Map<string, string> | undefined;
  private closed = false;
  private retry?: NodeJS.Timeout;

  constructor(kv: KvStore, project: string, opts: { ttlMs?: number } = {}) {
    const prefix = endpointsPrefix(project);
    const ttlMs = opts.ttlMs ?? DEFAULT_ENDPOINT_TTL_MS;
    this.sink = kv.coordination.endpoints(prefix, ttlMs, () => this.republish());
  }

  /** Puts new and changed endpoints, deletes those no longer listed. Calls run one after another. */
  async sync(endpoints: Endpoint[]): Promise<void> {
    if (this.closed) throw new BosunError(Codes.usage, 'sync after close of an EndpointPublisher');
    const desired = toEntries(endpoints);
    this.last = desired;
    return this.enqueue(() => this.sink.sync(desired));
  }

  /** Withdraws the endpoints (on etcd: revokes the lease). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retry);
    await this.enqueue(() => this.sink.close());
  }

  private enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.queue.then(step);
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** The lease was lost (etcd away longer than the TTL): publish the last list again on a new one. */
  private republish(): void {
    if (this.closed || !this.last) return;
    const desired = this.last;
    this.enqueue(() => this.sink.sync(desired)).catch(() => {
      if (!this.closed) this.retry = setTimeout(() => this.republish(), 1_000);
    });
  }
}

/** key → value, checked: a replica is one key, so two endpoints for one replica are a bug upstream. */
function toEntries(endpoints: Endpoint[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of endpoints) {
    if (!/^[^/]+$/.test(e.service) || !Number.isSafeInteger(e.replica) || e.replica < 1) {
      throw new BosunError(Codes.usage, `endpoint ${JSON.stringify(e)} needs a service without "/" and a replica >= 1`);
    }
    const key = `${e.service}/${e.replica}`;
    if (out.has(key)) throw new BosunError(Codes.usage, `two endpoints for ${key}`);
    out.set(key, JSON.stringify({ host: e.host, port: e.port, container: e.container, id: e.id, release: e.release }));
  }
  return out;
}
