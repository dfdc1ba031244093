import type { ServiceSpec } from '../model/desired.ts';
import type { Batch, StartGate } from '../model/plan.ts';

const BASE_READY_MS = 30_000;

/**
 * How a new replica of `service` is gated: ready within long enough for its healthcheck to pass
 * after the start period (whatever the user configured), then healthy for the monitor period.
 */
export function startGate(service: ServiceSpec): StartGate {
  const hc = service.healthcheck;
  const readyTimeoutMs = hc
    ? Math.max(BASE_READY_MS, hc.startPeriodMs + (hc.intervalMs + hc.timeoutMs) * (hc.retries + 2))
    : BASE_READY_MS;
  return { readyTimeoutMs, monitorMs: service.update.monitorMs };
}

/** Replacements of one service go `update.parallelism` at a time, `delay` after each. */
export function rolloutBatch(service: ServiceSpec): Batch {
  return { key: service.name, parallelism: service.update.parallelism, delayMs: service.update.delayMs };
}
