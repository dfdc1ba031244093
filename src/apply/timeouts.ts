import type { Plan } from '../model/plan.ts';

const BASE_MS = 30_000;

/**
 * How long a new container may take to become ready: long enough for its healthcheck to pass
 * after the start period, whatever the user configured.
 */
export function readyTimeoutMs(plan: Plan, service: string): number {
  const hc = plan.desired.services.find((s) => s.name === service)?.healthcheck;
  if (!hc) return BASE_MS;
  return Math.max(BASE_MS, hc.startPeriodMs + (hc.intervalMs + hc.timeoutMs) * (hc.retries + 2));
}
