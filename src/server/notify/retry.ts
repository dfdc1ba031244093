/** When to try a delivery again: exponential backoff with jitter, or what the receiver asked for. */
import type { RetryConfig } from './config.ts';

/** A receiver's Retry-After is followed up to this long; longer asks are cut to it. */
export const MAX_RETRY_AFTER_MS = 300_000;

/**
 * The wait after failed attempt `attempt` (1-based): initialDelay · 2^(attempt-1), of which the
 * upper half is random ("equal jitter"), so controllers that failed together do not retry together.
 */
export function backoffDelay(
  attempt: number,
  retry: Pick<RetryConfig, 'initialDelayMs'>,
  random = Math.random,
): number {
  const base = retry.initialDelayMs * 2 ** (attempt - 1);
  return Math.round(base / 2 + random() * (base / 2));
}

/** Retry-After as seconds or an HTTP date → milliseconds from `now`; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  const ms = /^[0-9]+(\.[0-9]+)?$/.test(text) ? Number(text) * 1000 : Date.parse(text) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, Math.round(ms)));
}

/** Worth another try: the network, a timeout, 408, 429 and 5xx. Any other 4xx will not change by itself. */
export function retryable(status: number | undefined): boolean {
  return status === undefined || status === 408 || status === 429 || status >= 500;
}
