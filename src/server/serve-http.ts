import type http from 'node:http';
import type { ControllerOptions } from './controller.ts';
import { createHttpServer, type Routes } from './http.ts';
import { DEFAULT_LIMITS } from './limits.ts';
import { errorFields } from './log.ts';
import type { ServerMetrics } from './metrics.ts';
import { readiness } from './readiness.ts';
import type { WebhookSeen } from './status.ts';
import { webhookDeps } from './webhook/deps.ts';
import type { WebhookReply } from './webhook/handler.ts';
import type { Provider } from './webhook/verify.ts';

export type ServeHttpOptions = Pick<
  ControllerOptions,
  'source' | 'secret' | 'providers' | 'maxBodyBytes' | 'webhookRate' | 'limits' | 'backend' | 'kv' | 'log'
>;

/** What the controller running the listener answers with. */
export interface ServeHttpHooks {
  metrics: ServerMetrics;
  draining: () => boolean;
  /** a verified push for the watched ref: queues a pass; returns what the queue did with it */
  onPush: () => string;
  /** the newest delivery, for /status */
  sawWebhook: (seen: WebhookSeen) => void;
  status: () => Promise<unknown>;
  ui?: Routes['ui'];
}

/**
 * serve's listener (webhooks, health, readiness, metrics, status, the dashboard), the same for
 * the controller of one stack and the controller of a repo of stacks.
 */
export function serveHttp(o: ServeHttpOptions, h: ServeHttpHooks): http.Server {
  const limits = o.limits ?? DEFAULT_LIMITS;
  const settings = { ...o, ratePerMinute: o.webhookRate, repo: o.source.repo, ref: o.source.ref };
  return createHttpServer(
    {
      webhook: webhookDeps(settings, limits, { accepting: () => !h.draining(), onPush: h.onPush }),
      onWebhook: (provider, reply) => h.sawWebhook(recordWebhook(o, h.metrics, provider, reply)),
      ready: () => readiness(o.backend, o.kv, h.draining()),
      metrics: () => h.metrics.text(),
      status: h.status,
      onError: (err) => o.log.error({ err: errorFields(err) }, 'http handler failed'),
      onRefused: (limit) => h.metrics.connectionsRefused.inc({ limit }),
      ui: h.ui,
    },
    limits,
  );
}

/** Counts and logs a delivery's outcome (refusals at warn). */
function recordWebhook(o: ServeHttpOptions, metrics: ServerMetrics, provider: Provider, r: WebhookReply): WebhookSeen {
  metrics.webhooks.inc({ provider, status: r.status });
  const level = r.code >= 400 ? 'warn' : 'info';
  o.log[level](
    { provider, status: r.status, code: r.code, event: r.event, delivery: r.delivery },
    `webhook ${provider}: ${r.status}`,
  );
  return { provider, at: new Date().toISOString(), status: r.status, event: r.event, delivery: r.delivery };
}
