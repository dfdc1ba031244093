/** Exponential backoff: `baseMs` doubled per attempt (0-based), never above `maxMs`. */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number): number {
  if (attempt <= 0) return Math.min(baseMs, maxMs);
  // 2 ** attempt overflows to Infinity long after it passed maxMs, so the min keeps it finite
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 52));
}

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
  /** a quiet period this long (no failure) starts the sequence over */
  resetAfterMs: number;
}

/** One backoff sequence; times are passed in, so it runs the same under a fake clock. */
export class Backoff {
  private attempts = 0;
  private lastAt: number | undefined;

  constructor(private readonly opts: BackoffOptions) {}

  /** Records a failure at `now` and returns how long to wait before acting on it. */
  next(now: number): number {
    if (this.lastAt !== undefined && now - this.lastAt >= this.opts.resetAfterMs) this.attempts = 0;
    const delay = backoffDelay(this.attempts, this.opts.baseMs, this.opts.maxMs);
    this.attempts++;
    this.lastAt = now;
    return delay;
  }

  reset(): void {
    this.attempts = 0;
    this.lastAt = undefined;
  }
}

/** A backoff sequence per key (e.g. per service), so one crash-looping service slows only itself. */
export class KeyedBackoff {
  private readonly byKey = new Map<string, Backoff>();

  constructor(private readonly opts: BackoffOptions) {}

  next(key: string, now: number): number {
    let b = this.byKey.get(key);
    if (!b) {
      b = new Backoff(this.opts);
      this.byKey.set(key, b);
    }
    return b.next(now);
  }
}

/**
 * Drift heals: 1 s doubling to 5 min. Ten quiet seconds count as stable, as for the engine's own
 * restart policy: a service drifting again within seconds of its repair is crash-looping and
 * slowed down, while removals spaced wider apart (a person's, another tool's) are each repaired
 * at once.
 */
export const DRIFT_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 300_000, resetAfterMs: 10_000 };
/** Reconnecting to the engine's event stream. */
export const STREAM_BACKOFF: BackoffOptions = { baseMs: 1_000, maxMs: 30_000, resetAfterMs: 60_000 };
/** Retrying a reconcile that failed for a transient reason (engine, store or git unreachable). */
export const RETRY_BACKOFF: BackoffOptions = { baseMs: 5_000, maxMs: 300_000, resetAfterMs: 600_000 };
