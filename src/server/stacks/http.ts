/**
 * The listener of a cluster repo's controller: the one-project routes (http.ts) with one webhook
 * endpoint and one /status for the whole repo, and the dashboard with its stack list first.
 */
import type http from 'node:http';
import { createHttpServer, type Routes } from '../http.ts';
import { DEFAULT_LIMITS } from '../limits.ts';
import { errorFields } from '../log.ts';
import type { ServerMetrics } from '../metrics.ts';
import { readiness } from '../readiness.ts';
import type { WebhookSeen } from '../status.ts';
import { webhookDeps } from '../webhook/deps.ts';
import type { WebhookReply } from '../webhook/handler.ts';
import type { Provider } from '../webhook/verify.ts';
import type { StacksControllerOptions } from './controller.ts';

export interface StacksHttpDeps {
  o: StacksControllerOptions;
  metrics: ServerMetrics;
  draining: () => boolean;
  onPush: () => string;
  onWebhook: (seen: WebhookSeen) => void;
  status: () => Promise<unknown>;
  ui?: Routes['ui'];
}

export function createStacksServer(d: StacksHttpDeps): http.Server {
  const o = d.o;
  const limits = o.limits ?? DEFAULT_LIMITS;
  const settings = { ...o, ratePerMinute: o.webhookRate, repo: o.source.repo, ref: o.source.ref };
  return createHttpServer(
    {
      webhook: webhookDeps(settings, limits, { accepting: () => !d.draining(), onPush: d.onPush }),
      onWebhook: (provider, reply) => d.onWebhook(recordWebhook(d, provider, reply)),
      ready: () => readiness(o.backend, o.kv, d.draining()),
      metrics: () => d.metrics.text(),
      status: d.status,
      onError: (err) => o.log.error({ err: errorFields(err) }, 'http handler failed'),
      onRefused: (limit) => d.metrics.connectionsRefused.inc({ limit }),
      ui: d.ui,
    },
    limits,
  );
}

function recordWebhook(d: StacksHttpDeps, provider: Provider, r: WebhookReply): WebhookSeen {
  d.metrics.webhooks.inc({ provider, status: r.status });
  const level = r.code >= 400 ? 'warn' : 'info';
  d.o.log[level]({ provider, status: r.status, code: r.code, event: r.event }, `webhook ${provider}: ${r.status}`);
  return { provider, at: new Date().toISOString(), status: r.status, event: r.event, delivery: r.delivery };
}
