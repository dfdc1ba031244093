import type { Backend, EventFeed, WorkloadEvent } from '../backends/backend.ts';
import { Backoff, DRIFT_BACKOFF, KeyedBackoff, STREAM_BACKOFF, type BackoffOptions } from './backoff.ts';
import type { Logger } from './log.ts';
import type { DriftClock } from './drift-clock.ts';
import type { OwnActivity } from './own-activity.ts';

export type DriftEvent = WorkloadEvent;

export interface DriftWatcherOptions {
  backend: Backend;
  project: string;
  activity: OwnActivity;
  /** told when drift is first seen, so its repair can be timed */
  clock?: DriftClock;
  log: Logger;
  /** a managed container of `service` died or vanished, and its backoff has elapsed */
  onDrift: (service: string, ev: DriftEvent) => void;
  /** the stream came back after a gap in which events may have been lost */
  onResync: () => void;
  serviceBackoff?: BackoffOptions;
  streamBackoff?: BackoffOptions;
  now?: () => number;
}

/**
 * Follows the engine's container events for one project. Events bosun caused itself are dropped;
 * the rest schedule a heal per service, delayed by that service's backoff, so a crash-looping
 * container costs at most one heal per backoff step. A dropped stream is reopened with backoff.
 */
export class DriftWatcher {
  private feed: EventFeed | undefined;
  private stopped = false;
  private connections = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly healTimers = new Map<string, NodeJS.Timeout>();
  private readonly perService: KeyedBackoff;
  private readonly reconnects: Backoff;
  private readonly now: () => number;

  constructor(private readonly opts: DriftWatcherOptions) {
    this.perService = new KeyedBackoff(opts.serviceBackoff ?? DRIFT_BACKOFF);
    this.reconnects = new Backoff(opts.streamBackoff ?? STREAM_BACKOFF);
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const t of this.healTimers.values()) clearTimeout(t);
    this.healTimers.clear();
    this.feed?.close();
    this.feed = undefined;
  }

  private async connect(): Promise<void> {
    let feed: EventFeed;
    try {
      feed = await this.opts.backend.watch(this.opts.project, {
        event: (ev) => this.onEvent(ev),
        lost: (why) => {
          if (this.feed === feed) this.feed = undefined;
          this.lost(why);
        },
      });
    } catch (err) {
      return this.lost((err as Error).message);
    }
    if (this.stopped) return void feed.close();
    this.feed = feed;
    if (this.connections++ > 0) this.opts.onResync();
    this.opts.log.info({ project: this.opts.project }, 'watching container events');
  }

  private lost(why: string): void {
    if (this.stopped || this.reconnectTimer) return;
    const delayMs = this.reconnects.next(this.now());
    this.opts.log.warn({ reason: why, delayMs }, 'container event stream lost: reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delayMs);
  }

  private onEvent(ev: DriftEvent): void {
    const fields = {
      service: ev.service,
      container: ev.name ?? ev.id.slice(0, 12),
      id: ev.id.slice(0, 12),
      action: ev.action,
    };
    if (this.opts.activity.isOwn(ev))
      return void this.opts.log.debug(fields, 'container event caused by bosun: ignored');
    this.opts.clock?.seen(ev.timeMs);
    if (this.healTimers.has(ev.service)) return; // a heal for this service is already on its way
    const delayMs = this.perService.next(ev.service, this.now());
    this.opts.log.info({ ...fields, delayMs }, 'drift: heal scheduled');
    this.healTimers.set(
      ev.service,
      setTimeout(() => {
        this.healTimers.delete(ev.service);
        this.opts.onDrift(ev.service, ev);
      }, delayMs),
    );
  }
}
