import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The controller's Prometheus metrics, on a registry of its own (not prom-client's global one),
 * so two controllers in one process (tests) do not share counters.
 *
 * bosun_reconciles_total{trigger,result}: trigger webhook | poll | drift; result applied |
 * healed | noop | pinned | skipped | not-leader, or the error's disposition: stalled | retry | busy.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  readonly reconciles = new Counter({
    name: 'bosun_reconciles_total',
    help: 'Reconcile and heal passes, by trigger and result',
    labelNames: ['trigger', 'result'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'bosun_reconcile_duration_seconds',
    help: 'Duration of reconcile and heal passes',
    labelNames: ['trigger'] as const,
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly webhooks = new Counter({
    name: 'bosun_webhooks_total',
    help: 'Webhook deliveries, by provider and outcome',
    labelNames: ['provider', 'status'] as const,
    registers: [this.registry],
  });
  readonly connectionsRefused = new Counter({
    name: 'bosun_http_connections_refused_total',
    help: 'HTTP connections closed on arrival, over the cap in all (global) or from one address (source)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });
  readonly driftRepairs = new Counter({
    name: 'bosun_drift_repairs_total',
    help: 'Heals that changed something to return to the release in force',
    registers: [this.registry],
  });
  readonly driftRepairSeconds = new Histogram({
    name: 'bosun_drift_repair_seconds',
    help: 'From the engine event that showed drift to the end of the heal that repaired it',
    buckets: [0.5, 1, 2, 3, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });
  readonly applied = new Gauge({
    name: 'bosun_applied_revision_info',
    help: 'The revision and release in force (value is always 1)',
    labelNames: ['revision', 'release'] as const,
    registers: [this.registry],
  });
  readonly coalesced = new Counter({
    name: 'bosun_queue_coalesced_total',
    help: 'Triggers merged into an already pending run instead of causing one of their own',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  setApplied(revision: string, release: number): void {
    this.applied.reset();
    this.applied.set({ revision, release: String(release) }, 1);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
