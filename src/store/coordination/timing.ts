import { setTimeout as sleep } from 'node:timers/promises';

export { sleep };

/** etcd counts lease TTLs in whole seconds; rounding up never makes a lease shorter than asked. */
export function ttlSeconds(ttlMs: number): number {
  return Math.max(1, Math.ceil(ttlMs / 1000));
}

/** A random wait in [minMs, maxMs), so contenders that collided do not retry in lockstep. */
export function jitter(minMs: number, maxMs: number): number {
  return minMs + Math.random() * (maxMs - minMs);
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Resolves after `ms` unless `signal` aborts first; never rejects. */
export function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal }).catch(() => undefined);
}
