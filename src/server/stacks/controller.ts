/**
 * `bosun serve --stacks GLOB` (or --all with bosun-stacks.yaml): one controller for a whole
 * cluster repo. One webhook endpoint and one poll for the repo, one fetch per pass; each stack a
 * project with its own Session (lock, releases, pin, binding), drift watcher and metrics labels.
 * The one-project controller (server/controller.ts) is left as it is.
 */
import { drainerFor } from '../../coord/drain.ts';
import type http from 'node:http';
import { schedule, type ScheduledTask } from 'node-cron';
import { Session, type SessionOptions } from '../../session/session.ts';
import { fetchArtifact } from '../../source/git.ts';
import { normalizePath } from '../../source/git.ts';
import { scrubUrl } from '../../source/redact.ts';
import { Backoff, RETRY_BACKOFF } from '../backoff.ts';
import type { ControllerOptions } from '../controller.ts';
import { DriftClock } from '../drift-clock.ts';
import { DriftWatcher } from '../drift.ts';
import { closeServer, listen } from '../http.ts';
import { cronLogger, errorFields } from '../log.ts';
import { ServerMetrics } from '../metrics.ts';
import { serveHttp } from '../serve-http.ts';
import { OwnActivity } from '../own-activity.ts';
import { CoalescingQueue } from '../queue.ts';
import type { WebhookSeen } from '../status.ts';
import { StackBoard, stackList, syncOf, type StackView } from './board.ts';
import { StackMetrics } from './metrics.ts';
import { mergeStackBatches, type StackBatch, StackRunner } from './runner.ts';

export interface StacksControllerOptions extends Omit<ControllerOptions, 'project' | 'projectOverride' | 'leadership'> {
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
  private readonly sessions = new Map<string, Session>();
  private readonly watchers = new Map<string, { project: string; watcher: DriftWatcher }>();
  private readonly queue: CoalescingQueue<StackBatch>;
  private readonly runner: StackRunner;
  private readonly server: http.Server;
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
    this.runner = new StackRunner({
      fetchRoot: () => fetchArtifact(o.source),
      globs: o.globs,
      concurrency: o.concurrency,
      board: this.board,
      sessionFor: (path) => this.sessionFor(path),
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
      onCoalesced: () => this.metrics.coalesced.inc(),
      onError: (err) => o.log.error({ err: errorFields(err) }, 'unexpected failure in a pass'),
    });
    this.server = this.createServer();
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
    for (const w of this.watchers.values()) w.watcher.stop();
    clearTimeout(this.retryTimer);
    await this.queue.close();
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

  private sessionFor(path: string): Session {
    let s = this.sessions.get(path);
    if (!s) {
      s = new Session(this.sessionOptions(path));
      this.sessions.set(path, s);
    }
    return s;
  }

  private sessionOptions(path: string): SessionOptions {
    const o = this.o;
    const root = normalizePath(o.source.path);
    return {
      kv: o.kv,
      sealer: o.sealer,
      backend: o.backend,
      source: { ...o.source, path: root ? `${root}/${path}` : path },
      takeOverProject: o.takeOverProject,
      adoptCompose: o.adoptCompose,
      allowTakeover: o.allowTakeover,
      secrets: o.secrets,
      lockWaitMs: o.lockWaitMs,
      historyLimit: o.historyLimit,
      policy: o.policy,
      progress: (line, _op, ms) => o.log.info({ stack: path, op: line, ms }, 'applied'),
      notice: (line) => o.log.warn({ stack: path }, line),
      removing: (id) => this.activity.removing(id, Date.now()),
      drain: drainerFor(o.kv),
    };
  }

  /** A drift watcher per named stack; a stack that left (and was pruned) loses its watcher. */
  private afterRun(): void {
    const last = this.runner.last;
    if (last && !last.error && last.failed.length === 0) this.retries.reset();
    this.stackMetrics.stacks.reset();
    for (const e of this.board.entries.values()) this.stackMetrics.stacks.inc({ sync: syncOf(e) });
    const want = new Map(
      [...this.board.entries.values()].filter((e) => e.project && !e.gone).map((e) => [e.path, e.project!]),
    );
    for (const [path, w] of this.watchers)
      if (want.get(path) !== w.project) {
        w.watcher.stop();
        this.watchers.delete(path);
      }
    if (this.draining) return;
    for (const [path, project] of want) {
      if (this.watchers.has(path)) continue;
      const heal = () => this.trigger({ heal: [path] });
      const watcher = new DriftWatcher({
        backend: this.o.backend,
        project,
        activity: this.activity,
        clock: this.driftClock,
        log: this.o.log.child({ stack: path }),
        onDrift: heal,
        onResync: heal,
      });
      this.watchers.set(path, { project, watcher });
      watcher.start();
    }
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

  private createServer(): http.Server {
    return serveHttp(this.o, {
      metrics: this.metrics,
      draining: () => this.draining,
      onPush: () => this.trigger({ reconcile: 'webhook', heal: [] }),
      sawWebhook: (seen) => (this.lastWebhook = seen),
      status: async () => this.snapshot(),
    });
  }

  private snapshot() {
    return {
      mode: 'stacks' as const,
      repo: scrubUrl(this.o.source.repo),
      ref: this.o.source.ref ?? 'HEAD',
      path: this.o.source.path,
      stackGlobs: this.o.globs,
      stacks: this.stacks(),
      lastPass: this.runner.last,
      lastWebhook: this.lastWebhook,
      lastDrift: this.driftClock.last,
      queue: this.queue.state(),
      draining: this.draining,
      startedAt: this.startedAt,
    };
  }
}
