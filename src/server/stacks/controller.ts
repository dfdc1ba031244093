/**
 * `bosun serve --stacks GLOB` (or --all with bosun-stacks.yaml): one controller for a whole
 * cluster repo. One webhook endpoint and one poll for the repo, one fetch per pass; each stack a
 * project with its own Session (lock, releases, pin, binding), drift watcher and metrics labels.
 * The one-project controller (server/controller.ts) is left as it is.
 */
import type http from 'node:http';
import { schedule, type ScheduledTask } from 'node-cron';
import { fetchArtifact } from '../../source/git.ts';
import { normalizePath } from '../../source/git.ts';
import { scrubUrl } from '../../source/redact.ts';
import { Backoff, RETRY_BACKOFF } from '../backoff.ts';
import type { ControllerOptions } from '../controller.ts';
import { DriftClock } from '../drift-clock.ts';
import { closeServer, listen } from '../http.ts';
import { cronLogger, errorFields } from '../log.ts';
import { ServerMetrics } from '../metrics.ts';
import { OwnActivity } from '../own-activity.ts';
import { CoalescingQueue } from '../queue.ts';
import type { WebhookSeen } from '../status.ts';
import { StackBoard, stackList, syncOf, type StackView } from './board.ts';
import { StackMetrics } from './metrics.ts';
import { mergeStackBatches, type StackBatch, StackRunner } from './runner.ts';
import { StackWatchers } from './watchers.ts';
import { type ControllerView, StacksDashboard } from './dashboard.ts';
import { serveHttp } from '../serve-http.ts';
import { StackSessions } from './sessions.ts';

/**
 * `leadership`: one election for the whole repo (stacks/record.ts#clusterElection), so two
 * controllers of one cluster repo never both apply; without it this process always leads.
 */
export interface StacksControllerOptions extends Omit<ControllerOptions, 'project' | 'projectOverride'> {
  /** --stacks globs (empty: bosun-stacks.yaml lists them) */
  globs: string[];
  /** --stack-concurrency */
  concurrency: number;
  /** --prune-stacks */
  prune: boolean;
}

export class StacksController {
  readonly metrics = new ServerMetrics();
  readonly stackMetrics = new StackMetrics(this.metrics.registry);
  readonly board = new StackBoard();
  private readonly activity = new OwnActivity();
  private readonly driftClock = new DriftClock();
  private readonly sessions: StackSessions;
  private coalesced = 0;
  private readonly watchers: StackWatchers;
  private readonly queue: CoalescingQueue<StackBatch>;
  private readonly runner: StackRunner;
  private readonly server: http.Server;
  private readonly dashboard: StacksDashboard | undefined;
  private readonly retries = new Backoff(RETRY_BACKOFF);
  private readonly startedAt = new Date().toISOString();
  private lastWebhook: WebhookSeen | null = null;
  private cron: ScheduledTask | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private draining = false;

  constructor(private readonly o: StacksControllerOptions) {
    o.sealer.onRejected(({ key, error }) => {
      this.metrics.recordsRejected.inc({ code: error.code });
      o.log.error({ code: error.code, key }, `${error.code}: ${error.message}`);
    });
    this.sessions = new StackSessions(o, {
      progress: (path, line, ms) => {
        const project = this.board.entries.get(path)?.project;
        if (project) this.dashboard?.progress(project, line, ms);
      },
      removing: (id) => this.activity.removing(id, Date.now()),
    });
    this.watchers = new StackWatchers({
      backend: o.backend,
      activity: this.activity,
      clock: this.driftClock,
      log: o.log,
      heal: (path) => this.trigger({ heal: [path] }),
    });
    this.runner = new StackRunner({
      isLeader: () => o.leadership?.isLeader() ?? true,
      fetchRoot: () => fetchArtifact(o.source),
      globs: o.globs,
      concurrency: o.concurrency,
      board: this.board,
      sessionFor: (path) => this.sessions.for(path),
      log: o.log,
      metrics: this.stackMetrics,
      retryLater: () => this.retryLater(),
      kv: o.kv,
      sealer: o.sealer,
      where: { repo: o.source.repo, root: normalizePath(o.source.path) },
      prune: o.prune,
      serverMetrics: this.metrics,
      afterRun: () => this.afterRun(),
    });
    this.queue = new CoalescingQueue<StackBatch>((b) => this.runner.run(b), mergeStackBatches, {
      onCoalesced: () => {
        this.metrics.coalesced.inc();
        this.coalesced++;
      },
      onError: (err) => o.log.error({ err: errorFields(err) }, 'unexpected failure in a pass'),
    });
    this.dashboard =
      o.dashboard &&
      new StacksDashboard({
        board: this.board,
        sessionFor: (path) => this.sessions.for(path),
        controller: () => this.controllerView(),
        root: normalizePath(o.source.path),
        kv: o.kv,
        sealer: o.sealer,
        enqueue: (b) => this.trigger(b),
        log: o.log,
      });
    this.server = serveHttp(o, {
      metrics: this.metrics,
      draining: () => this.draining,
      onPush: () => this.trigger({ reconcile: 'webhook', heal: [] }),
      sawWebhook: (seen) => {
        this.lastWebhook = seen;
      },
      status: async () => this.snapshot(),
      ui: this.dashboard?.route(),
    });
  }

  async start(): Promise<string> {
    const address = await listen(this.server, this.o.listen);
    const webhooks = this.o.secret ? [...this.o.providers].join(',') : 'disabled (no secret)';
    const stacks = this.o.globs.length ? this.o.globs.join(',') : 'bosun-stacks.yaml';
    this.o.log.info(
      {
        address,
        repo: scrubUrl(this.o.source.repo),
        ref: this.o.source.ref ?? 'HEAD',
        stacks,
        poll: this.o.poll,
        webhooks,
      },
      `listening on ${address}`,
    );
    await this.runner.loadRecorded();
    await this.o.leadership?.start();
    this.cron = schedule(this.o.poll, () => void this.trigger({ reconcile: 'poll', heal: [] }), {
      name: 'bosun-poll',
      noOverlap: true,
      logger: cronLogger(this.o.log),
    });
    this.trigger({ reconcile: 'poll', heal: [] });
    return address;
  }

  async stop(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    this.o.log.info('shutting down: finishing the running pass');
    await this.cron?.stop();
    await this.cron?.destroy();
    this.watchers.stop();
    clearTimeout(this.retryTimer);
    await this.queue.close();
    await this.o.leadership?.stop();
    this.dashboard?.close();
    await closeServer(this.server);
    await this.o.kv.close();
    this.o.log.info('stopped');
  }

  trigger(batch: StackBatch): string {
    return this.queue.push(batch);
  }

  /** Every stack with its sync state: what /status lists, and what a dashboard shows first. */
  stacks(): StackView[] {
    return stackList(this.board);
  }

  /** After every batch: the stacks gauge, drift watchers following the stacks, endpoints published. */
  private afterRun(): void {
    const last = this.runner.last;
    if (last && !last.error && last.failed.length === 0) this.retries.reset();
    this.stackMetrics.stacks.reset();
    for (const e of this.board.entries.values()) this.stackMetrics.stacks.inc({ sync: syncOf(e) });
    this.watchers.follow(this.board, !this.draining);
    void this.o.leadership?.publish();
  }

  /** The projects of the stacks still in the repo: whose endpoints the leader publishes. */
  projects(): string[] {
    return [...this.board.entries.values()].filter((e) => e.project && !e.gone).map((e) => e.project!);
  }

  private retryLater(): void {
    if (this.retryTimer || this.draining) return;
    const delayMs = this.retries.next(Date.now());
    this.o.log.info({ delayMs }, 'retrying later');
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.trigger({ reconcile: 'poll', heal: [] });
    }, delayMs);
  }

  /** What /status says of the controller itself; the dashboard shows it on every stack's page. */
  private controllerView(): ControllerView {
    return {
      repo: scrubUrl(this.o.source.repo),
      ref: this.o.source.ref ?? 'HEAD',
      leader: this.o.leadership?.isLeader() ?? true,
      leaderName: this.o.leadership?.leader() ?? null,
      draining: this.draining,
      queue: { ...this.queue.state(), coalesced: this.coalesced },
      lastWebhook: this.lastWebhook,
      lastDrift: this.driftClock.last,
      startedAt: this.startedAt,
    };
  }

  private snapshot() {
    const c = this.controllerView();
    const { path } = this.o.source;
    return {
      mode: 'stacks' as const,
      ...c,
      path,
      stackGlobs: this.o.globs,
      stacks: this.stacks(),
      lastPass: this.runner.last,
    };
  }
}
