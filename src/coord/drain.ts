import type { KvStore } from '../ports.ts';
import { drainingPrefix, endpointsPrefix } from '../store/coordination/keys.ts';

/** How long a drained replica keeps running after proxies were told: their reload and in-flight requests. */
export const DEFAULT_DRAIN_WAIT_MS = 1_500;
/** How long a drain waits for another replica of the service to be published (a publisher syncs every 5 s). */
export const DEFAULT_PEER_WAIT_MS = 7_000;
const PEER_POLL_MS = 200;

/** A workload the back end is about to stop. */
export interface DrainTarget {
  service: string;
  replica: number;
  /** the workload's id, as published in its endpoint */
  id: string;
  /** a successor is running (start-first): wait until it is published before this one leaves */
  successor?: boolean;
}

export interface DrainOptions {
  /** publishes the current endpoints first (serve's leader), so a successor is routed before the old one goes */
  announce?: () => Promise<void>;
  waitMs?: number;
  peerWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Published {
  service: string;
  id?: string;
}

/**
 * Takes a replica out of rotation before it stops: proxies watching the endpoints (bosun proxy)
 * drop an endpoint whose id is marked under /bosun/<project>/draining/. Order matters: the
 * marker goes first, then (start-first) the drain waits until another replica of the service is
 * published and not draining (the successor, announced by the publisher), then for proxies to
 * reload. A service nobody publishes is stopped at once: no proxy routes to it. Markers of
 * workloads whose endpoint is gone are pruned on the way, so they do not pile up.
 */
export class Drainer {
  private readonly waitMs: number;
  private readonly peerWaitMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly kv: KvStore,
    private readonly o: DrainOptions = {},
  ) {
    this.waitMs = o.waitMs ?? DEFAULT_DRAIN_WAIT_MS;
    this.peerWaitMs = o.peerWaitMs ?? DEFAULT_PEER_WAIT_MS;
    this.sleep = o.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async drain(project: string, target: DrainTarget): Promise<void> {
    await this.o.announce?.();
    const published = await this.published(project);
    // a successor may already hold the replica's key: what matters is whether proxies route the service
    if (!published.some((e) => e.service === target.service)) return;
    const since = new Date().toISOString();
    await this.kv.put(
      markerKey(project, target.id),
      JSON.stringify({ service: target.service, replica: target.replica, since }),
    );
    const peerWaitMs = target.successor ? this.peerWaitMs : 0;
    for (let waited = 0; waited < peerWaitMs && !(await this.hasPeer(project, target)); waited += PEER_POLL_MS) {
      await this.sleep(PEER_POLL_MS);
      await this.o.announce?.();
    }
    await this.sleep(this.waitMs);
  }

  /** Deletes the markers of workloads no longer published (the publisher calls it after a sync). */
  async prune(project: string): Promise<void> {
    const live = new Set((await this.published(project)).map((e) => e.id));
    for (const id of await this.draining(project)) {
      if (!live.has(id)) await this.kv.delete(markerKey(project, id));
    }
  }

  private async hasPeer(project: string, target: DrainTarget): Promise<boolean> {
    const draining = new Set(await this.draining(project));
    const published = await this.published(project);
    return published.some((e) => e.service === target.service && e.id !== undefined && !draining.has(e.id));
  }

  private async published(project: string): Promise<Published[]> {
    const prefix = endpointsPrefix(project);
    const entries = await this.kv.list(prefix);
    const out: Published[] = [];
    for (const e of entries) {
      try {
        const value = JSON.parse(e.value) as { id?: unknown };
        const service = e.key.slice(prefix.length).split('/')[0] ?? '';
        out.push({ service, ...(typeof value.id === 'string' ? { id: value.id } : {}) });
      } catch {
        // not ours to judge: a malformed endpoint is simply not a peer
      }
    }
    return out;
  }

  private async draining(project: string): Promise<string[]> {
    const prefix = drainingPrefix(project);
    return (await this.kv.list(prefix)).map((e) => e.key.slice(prefix.length));
  }
}

/** The session's drain hook over one store. */
export function drainerFor(
  kv: KvStore,
  announce?: () => Promise<void>,
): (project: string, t: DrainTarget) => Promise<void> {
  const drainer = new Drainer(kv, announce ? { announce } : {});
  return (project, target) => drainer.drain(project, target);
}

function markerKey(project: string, id: string): string {
  return `${drainingPrefix(project)}${id}`;
}
