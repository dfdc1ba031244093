/**
 * How the etcd client moves between hosts. etcd3's defaults (3 retries, then a per-host circuit
 * breaker that stays open for 5 s) turn a single refused connection into a burst of retries
 * followed by BrokenCircuitErrors that hide the real cause, and keep failing for a while after
 * etcd is back. A controller loop does its own backoff, so the client tries each host once and
 * reports the first real error. A host that never answers (lost in a power cut: no refusal, the
 * connection just hangs) is skipped for a while, so one lost member of three costs one call
 * deadline, not one per call.
 */
import type { IOptions } from 'etcd3';

type Policy = NonNullable<NonNullable<IOptions['faultHandling']>['global']>;
type PolicyContext = Parameters<Parameters<Policy['execute']>[0]>[0];

/** How long a host whose connection failed is left out while others answer. */
const SILENT_HOST_SKIP_MS = 15_000;

const noListeners = () => ({ dispose: () => undefined });

/**
 * A call that timed out before it was sent: grpc-js was still waiting for a connection to the
 * host ("Waiting for LB pick"). Safe to send to another host, a write included.
 */
export function neverSent(err: unknown): boolean {
  return (
    err instanceof Error &&
    /DEADLINE_EXCEEDED|Deadline exceeded/.test(err.message) &&
    /Waiting for LB pick|waiting for connection/i.test(err.message)
  );
}

function policy(execute: Policy['execute']): Policy {
  return { _altReturn: undefined as never, onSuccess: noListeners, onFailure: noListeners, execute };
}

/** The global policy: each retry is routed by etcd3 to the next host. */
export function tryEachHostOnce(hostCount: number, recoverable: (err: Error) => boolean): Policy {
  return policy(async <T>(fn: (ctx: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> => {
    const context = { signal: signal ?? new AbortController().signal };
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn(context);
      } catch (err) {
        const again = err instanceof Error && (recoverable(err) || neverSent(err));
        if (attempt >= hostCount || !again) throw err;
      }
    }
  });
}

/** The host did not take the call: the connection never opened (refused, unreachable, silent). */
function hostDown(err: unknown): boolean {
  return neverSent(err) || (err instanceof Error && /No connection established/.test(err.message));
}

/**
 * The hosts' policies: calls go through (no breaker remembering refusals), except to a host whose
 * connection failed lately while another host may answer. etcd3 renews a failed host's channel,
 * so each call to a lost host would wait out a new connection (~3 s for an address nobody
 * answers ARP for). Refusing without calling makes etcd3 try the next host at once; a host
 * is tried again after SILENT_HOST_SKIP_MS, or at once when every host is left out.
 */
export function hostPolicies(): () => Policy {
  const downUntil: number[] = [];
  return () => {
    const me = downUntil.push(0) - 1;
    let last: Error | undefined;
    return policy(async <T>(fn: (ctx: PolicyContext) => PromiseLike<T> | T, signal?: AbortSignal): Promise<T> => {
      const now = Date.now();
      const another = downUntil.some((t, i) => i !== me && t <= now);
      if (last && now < downUntil[me] && another) throw last;
      try {
        return await fn({ signal: signal ?? new AbortController().signal });
      } catch (err) {
        if (hostDown(err)) [last, downUntil[me]] = [err as Error, Date.now() + SILENT_HOST_SKIP_MS];
        throw err;
      }
    });
  };
}
