/**
 * healthcheck, restart and deploy: compose's (the engine's) defaults written out where bosun's
 * differ — restart `no`, healthcheck 30s/30s/3/0 — so a stack behaves as under `docker compose up`.
 */
import { DEFAULT_UPDATE, type HealthcheckSpec, type ServiceSpec, type UpdatePolicy } from '../../../model/desired.ts';
import type { ComposePath } from '../loaded.ts';
import { asList, asText, isObj, type MapContext, type Obj, report } from './context.ts';
import { composeDurationMs } from './units.ts';

const ENGINE_DEFAULTS = { interval: 30_000, timeout: 30_000, retries: 3, start_period: 0 };

function duration(ctx: MapContext, path: ComposePath, v: unknown, dflt: number): number {
  if (v === undefined) return dflt;
  const ms = composeDurationMs(v);
  if (ms === undefined) report(ctx, path, 'must be a duration like 30s, 1m30s or 500ms');
  return ms ?? dflt;
}

/** `CMD-SHELL x` runs `/bin/sh -c x`, as the engine does on Linux; NONE and disable mean none. */
export function mapHealthcheck(ctx: MapContext, path: ComposePath, h: unknown): HealthcheckSpec | undefined {
  if (!isObj(h) || h.disable === true) return undefined;
  const test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : asList(h.test).map(asText);
  if (test[0] === 'NONE') return undefined;
  let cmd: string[] | undefined;
  if (test[0] === 'CMD' && test.length > 1) cmd = test.slice(1);
  else if (test[0] === 'CMD-SHELL' && test.length === 2) cmd = ['/bin/sh', '-c', test[1]!];
  if (!cmd) {
    const why =
      h.test === undefined
        ? "test is required (bosun does not keep the image's test with new timings)"
        : 'test must be a string, [CMD, …], [CMD-SHELL, "…"] or [NONE]';
    report(ctx, h.test === undefined ? path : [...path, 'test'], why);
    return undefined;
  }
  if (h.start_interval !== undefined) report(ctx, [...path, 'start_interval'], 'start_interval is not supported');
  return {
    cmd,
    intervalMs: duration(ctx, [...path, 'interval'], h.interval, ENGINE_DEFAULTS.interval),
    timeoutMs: duration(ctx, [...path, 'timeout'], h.timeout, ENGINE_DEFAULTS.timeout),
    retries: typeof h.retries === 'number' ? h.retries : ENGINE_DEFAULTS.retries,
    startPeriodMs: duration(ctx, [...path, 'start_period'], h.start_period, ENGINE_DEFAULTS.start_period),
  };
}

const RESTARTS = new Set(['no', 'always', 'on-failure', 'unless-stopped']);
const CONDITIONS: Record<string, ServiceSpec['restart']> = { none: 'no', 'on-failure': 'on-failure', any: 'always' };

export function mapRestart(ctx: MapContext, path: ComposePath, s: Obj): ServiceSpec['restart'] {
  if (s.restart !== undefined) {
    const r = asText(s.restart);
    if (RESTARTS.has(r)) return r as ServiceSpec['restart'];
    report(
      ctx,
      [...path, 'restart'],
      `"${r}" is not supported (no, always, on-failure, unless-stopped; on-failure:N has no retry limit in bosun)`,
    );
    return 'no';
  }
  const policy = isObj(s.deploy) && isObj(s.deploy.restart_policy) ? s.deploy.restart_policy : undefined;
  if (!policy) return 'no';
  const cond = CONDITIONS[asText(policy.condition ?? 'any')];
  for (const key of ['delay', 'max_attempts', 'window']) {
    if (policy[key] !== undefined) report(ctx, [...path, 'deploy', 'restart_policy', key], `${key} is not supported`);
  }
  if (!cond) report(ctx, [...path, 'deploy', 'restart_policy', 'condition'], 'must be none, on-failure or any');
  return cond ?? 'no';
}

/** compose ignores update_config; bosun honours it (continue is refused: bosun stops or rolls back). */
export function mapUpdate(ctx: MapContext, path: ComposePath, u: unknown): UpdatePolicy {
  if (!isObj(u)) return { ...DEFAULT_UPDATE };
  const out = { ...DEFAULT_UPDATE };
  if (typeof u.parallelism === 'number') out.parallelism = Math.max(1, u.parallelism);
  if (u.order === 'start-first' || u.order === 'stop-first') out.order = u.order;
  else if (u.order !== undefined) report(ctx, [...path, 'order'], 'must be start-first or stop-first');
  out.delayMs = duration(ctx, [...path, 'delay'], u.delay, out.delayMs);
  out.monitorMs = duration(ctx, [...path, 'monitor'], u.monitor, out.monitorMs);
  if (u.failure_action === 'rollback' || u.failure_action === 'pause') out.failureAction = u.failure_action;
  else if (u.failure_action !== undefined)
    report(
      ctx,
      [...path, 'failure_action'],
      'must be rollback or pause (bosun does not continue past a failed replica)',
    );
  if (u.max_failure_ratio !== undefined)
    report(ctx, [...path, 'max_failure_ratio'], 'max_failure_ratio is not supported');
  return out;
}
