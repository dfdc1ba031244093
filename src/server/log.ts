import pino, { type Logger } from 'pino';
import type { Logger as CronLogger } from 'node-cron';

export type { Logger };

/**
 * JSON lines on stdout. Nothing that could hold a secret is ever passed to the logger (no
 * headers, no bodies, repo URLs scrubbed); the redact list is a second line of defence.
 */
export function createLogger(level = process.env.BOSUN_LOG_LEVEL ?? 'info'): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['secret', 'token', 'headers', '*.headers', 'authorization', '*.authorization'], censor: '***' },
  });
}

/** node-cron prints coloured WARN lines by itself; routed here they become JSON like the rest. */
export function cronLogger(log: Logger): CronLogger {
  const text = (m: string | Error) => (m instanceof Error ? m.message : m);
  return {
    info: (m) => log.debug({ component: 'cron' }, m),
    warn: (m) => log.warn({ component: 'cron' }, m),
    error: (m, err) => log.error({ component: 'cron', err: err?.message }, text(m)),
    debug: (m) => log.debug({ component: 'cron' }, text(m)),
  };
}

export function errorFields(err: unknown): { code?: string; disposition?: string; message: string } {
  const e = err as { code?: unknown; disposition?: unknown; message?: unknown };
  return {
    code: typeof e?.code === 'string' ? e.code : undefined,
    disposition: typeof e?.disposition === 'string' ? e.disposition : undefined,
    message: typeof e?.message === 'string' ? e.message : String(err),
  };
}
