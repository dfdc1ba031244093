import { drainerFor } from '../coord/drain.ts';
import type http from 'node:http';
import { schedule, type ScheduledTask } from 'node-cron';
import type { GitSourceOptions } from '../ports.ts';
import { readPin } from '../release/pin.ts';
import { scrubUrl } from '../source/redact.ts';
import { Backoff, RETRY_BACKOFF } from './backoff.ts';
import { DriftWatcher } from './drift.ts';
import { closeServer, listen } from './http.ts';
import { cronLogger, errorFields, type Logger } from './log.ts';
import { ServerMetrics } from './metrics.ts';
import { nodeGauges, readNodesDown } from './nodes.ts';
import type { ListenAddress } from './options.ts';
import { DriftClock } from './drift-clock.ts';
import { OwnActivity } from './own-activity.ts';
import { CoalescingQueue } from './queue.ts';
import { mergeBatches, Runner, type Batch } from './runner.ts';
import type { Leadership } from './leadership.ts';
import { StatusBoard, type RunTrigger } from './status.ts';
import { Session } from '../session/session.ts';
import type { PolicyInForce } from '../policy/defaults.ts';
import type { SecretSources } from '../secrets/resolve.ts';
import type { Backend } from '../backends/backend.ts';
import type { KvStore } from '../ports.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import type { Provider } from './webhook/verify.ts';
import type { HttpLimits } from './limits.ts';
import { serveHttp } from './serve-http.ts';
import type { AllowTakeover } from '../release/binding.ts';
import type { NotifyHooks } from './notify/notifier.ts';
import { type DashboardSettings, dashboardFor, dashboardRoute, watchedRun } from './ui/attach.ts';
import type { Dashboard } from './ui/dashboard.ts';

export interface ControllerOptions {
  source: GitSourceOptions;
  projectOverride?: string;
  /** --take-over-project: hands the project over to this source */
  takeOverProject?: string;
  /** --adopt-compose: takes over the containers docker compose runs for the project */
  adoptCompose?: boolean;
  /** a host policy's say on a takeover without the flag */
  allowTakeover?: AllowTakeover;
  /** opens sealed Config values (age identities, host env and files) */
  secrets?: SecretSources;
  project: string;
  backend: Backend;
  kv: KvStore;
  /** seals the records this controller acts on; it counts and logs each one refused */
  sealer: RecordSealer;
  log: Logger;
  listen: ListenAddress;
  poll: string;
  secret: string | undefined;
  maxBodyBytes: number;
  /** the webhook endpoints that answer */
  providers: ReadonlySet<Provider>;
  /** webhook deliveries per minute (and burst) from one remote address */
  webhookRate: number;
  limits?: HttpLimits;
  lockWaitMs?: number;
  /** --history-limit: releases kept, over the Project's historyLimit */
  historyLimit?: number;
  /** only the leader reconciles and publishes endpoints; without it this process always leads */
  leadership?: Leadership;
  /** the host policy every pass enforces (absent: the built-in default) */
  policy?: PolicyInForce;
  /** --notify-config: told of releases and outcomes; it only queues (server/notify) */
  notify?: NotifyHooks;
  /** the web dashboard on the same listener (absent: none) */
  dashboard?: DashboardSettings;
}

/**
 * The long-running controller: HTTP (webhooks, health, metrics, status), polling, drift
 * watching, all feeding one coalescing queue so that one pass runs at a time.
 */
export class Controller {
  readonly metrics = new ServerMetrics();
  readonly status: StatusBoard;
  private readonly activity = new OwnActivity();
  private readonly driftClock = new DriftClock();
  private readonly queue: CoalescingQueue<Batch>;
  private readonly runner: Runner;
  private readonly server: http.Server;
  private readonly drift: DriftWatcher;
  private readonly retries = new Backoff(RETRY_BACKOFF);
  private readonly isLeader: () => boolean;
  private readonly dashboard: Dashboard | undefined;
  private cron: ScheduledTask | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(private readonly o: ControllerOptions) {
    this.isLeader = o.leadership ? () => o.leadership!.isLeader() : () => true;
    this.status = new StatusBoard({
      repo: scrubUrl(o.source.repo),
      ref: o.source.ref ?? 'HEAD',
      path: o.source.path,
      project: o.project,
    });
    o.sealer.onRejected(({ key, error }) => {
      this.metrics.recordsRejected.inc({ code: error.code });
      o.log.error({ code: error.code, key }, `${error.code}: ${error.message}`);
    });
    const session = new Session({
      kv: o.kv,
      sealer: o.sealer,
      backend: o.backend,
      source: o.source,
      projectOverride: o.projectOverride,
      takeOverProject: o.takeOverProject,
      adoptCompose: o.adoptCompose,
      allowTakeover: o.allowTakeover,
      secrets: o.secrets,
      lockWaitMs: o.lockWaitMs,
      historyLimit: o.historyLimit,
      policy: o.policy,
      progress: (line, _op, ms) => {
        o.log.info({ op: line, ms }, 'applied');
        this.dashboard?.progress.add(o.project, 'progress', line, ms);
      },
      notice: (line) => {
        o.log.warn(line);
        this.dashboard?.progress.add(o.project, 'notice', line);
      },
      output: (line) => o.log.info({ output: line }, 'build'),
      // noted before the call: the engine emits kill/die/destroy while the removal is in progress
      removing: (id) => this.activity.removing(id, Date.now()),
      // the leader publishes first, so a start-first successor is routed before its predecessor drains
      drain: drainerFor(o.kv, () => o.leadership?.publish() ?? Promise.resolve()),
    });
    o.notify?.attach(this.metrics.registry);
    nodeGauges(this.metrics.registry, o.backend, o.project);
    session.releases.onRecorded((r) => o.notify?.release(r));
    this.runner = new Runner({
      session,
      project: o.project,
      log: o.log,
      metrics: this.metrics,
      status: this.status,
      drift: this.driftClock,
      isLeader: this.isLeader,
      retryLater: (t) => this.retryLater(t),
      succeeded: () => this.retries.reset(),
      afterRun: () => o.leadership?.publish() ?? Promise.resolve(),
      outcome: (trigger, outcome) => o.notify?.outcome(o.project, trigger, outcome),
    });
    const stack = { project: o.project, session, log: o.log, status: () => this.snapshot() };
    this.dashboard = o.dashboard && dashboardFor(o.dashboard, { ...stack, enqueue: (b) => this.trigger(b) });
    const run = watchedRun(this.dashboard, o.project, (b) => this.runner.run(b));
    this.queue = new CoalescingQueue<Batch>(run, mergeBatches, {
      onCoalesced: () => {
        this.status.coalesced++;
        this.metrics.coalesced.inc();
      },
      onError: (err) => o.log.error({ err: errorFields(err) }, 'unexpected failure in a pass'),
    });
    this.server = this.createServer();
    this.drift = new DriftWatcher({
      backend: o.backend,
      project: o.project,
      activity: this.activity,
      clock: this.driftClock,
      log: o.log,
      onDrift: () => this.trigger({ heal: true }),
      onResync: () => this.trigger({ heal: true }),
    });
  }

  /** Listens first (the first log line names the bound address), then polls, watches, and converges once. */
  async start(): Promise<string> {
    const address = await listen(this.server, this.o.listen);
    const { repo, ref, project } = this.status.source;
    const webhooks = this.o.secret ? [...this.o.providers].join(',') : 'disabled (no secret)';
    this.o.log.info({ address, repo, ref, project, poll: this.o.poll, webhooks }, `listening on ${address}`);
    await this.runner.refreshApplied();
    await this.o.leadership?.start();
    this.cron = schedule(this.o.poll, () => void this.trigger({ reconcile: 'poll', heal: false }), {
      name: 'bosun-poll',
      noOverlap: true,
      logger: cronLogger(this.o.log),
    });
    this.drift.start();
    this.trigger({ reconcile: 'poll', heal: false });
    return address;
  }

  /** Takes no new work (webhooks answer 503), lets a running pass finish, then closes everything. */
  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.o.log.info('shutting down: finishing the running pass');
    await this.cron?.stop();
    await this.cron?.destroy();
    this.drift.stop();
    clearTimeout(this.retryTimer);
    await this.queue.close();
    await this.o.leadership?.stop();
    this.dashboard?.close();
    await closeServer(this.server);
    await this.o.kv.close();
    this.o.log.info('stopped');
  }

  trigger(batch: Batch): string {
    return this.queue.push(batch);
  }

  private retryLater(trigger: Exclude<RunTrigger, 'action'>): void {
    if (this.retryTimer || this.draining) return;
    const delayMs = this.retries.next(Date.now());
    this.o.log.info({ trigger, delayMs }, 'retrying later');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.trigger(trigger === 'drift' ? { heal: true } : { reconcile: trigger, heal: false });
    }, delayMs);
  }

  private createServer(): http.Server {
    return serveHttp(this.o, {
      metrics: this.metrics,
      draining: () => this.draining,
      onPush: () => this.trigger({ reconcile: 'webhook', heal: false }),
      sawWebhook: (seen) => (this.status.lastWebhook = seen),
      status: () => this.snapshot(),
      ui: this.dashboard && dashboardRoute(this.dashboard),
    });
  }

  private async snapshot() {
    let pinned = null;
    let pinError: string | undefined;
    try {
      pinned = (await readPin(this.o.kv, this.o.sealer, this.o.project)) ?? null;
    } catch (err) {
      pinError = errorFields(err).message;
    }
    const leaderName = this.o.leadership ? (this.o.leadership.leader() ?? null) : null;
    return this.status.snapshot({
      queue: { ...this.queue.state(), coalesced: this.status.coalesced },
      pinned,
      pinError,
      leader: this.isLeader(),
      leaderName,
      draining: this.draining,
      lastDrift: this.driftClock.last,
      ...(await readNodesDown(this.o.backend, this.o.project)),
    });
  }
}
