/**
 * The sink serve's controller calls: releases recorded and finished, each pass's outcome, the
 * leadership. It turns them into events and hands each to the queues of the targets that want
 * it. Every call returns at once and never throws: a receiver, slow or broken, costs a pass nothing.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Counter, type Registry } from 'prom-client';
import type { Release } from '../../model/release.ts';
import type { Logger } from '../log.ts';
import { errorFields } from '../log.ts';
import type { Outcome } from '../passes.ts';
import { commitStatusTarget } from './commit-status.ts';
import type { NotifyConfig } from './config.ts';
import { DeliveryQueue } from './delivery.ts';
import { driftEvent, type EventContext, leaderEvent, type NotifyEvent, pinEvent, releaseEvent } from './events.ts';
import { httpSend, type Send } from './send.ts';
import { configuredTarget } from './targets.ts';

/** What the controller tells the notifier; each call only queues. */
export interface NotifyHooks {
  /** registers bosun_notifications_total on the controller's registry */
  attach(registry: Registry): void;
  /** a release recorded `applying`, or finished */
  release(r: Release): void;
  /** a pass's outcome (drift repaired; pinned or resumed, as seen by reconcile passes) */
  outcome(project: string, trigger: string, o: Outcome): void;
  /** this process's view of the election changed */
  leadership(project: string, isLeader: boolean, leader: string | undefined): void;
}

export interface NotifierDeps {
  log: Logger;
  send?: Send;
  now?: () => Date;
  instance?: string;
}

/** How long a stopping controller lets queued deliveries go out. */
export const CLOSE_GRACE_MS = 3_000;

export class Notifier implements NotifyHooks {
  readonly counter = new Counter({
    name: 'bosun_notifications_total',
    help: 'Notification and commit status deliveries, by target and result (delivered, retried, failed, rejected, dropped)',
    labelNames: ['target', 'result'] as const,
    registers: [],
  });
  readonly queues: DeliveryQueue[];
  private readonly ctx: EventContext;
  private readonly pinned = new Map<string, boolean>();
  /** per project: serve may run one election per stack */
  private readonly leading = new Map<string, boolean>();

  constructor(
    readonly config: NotifyConfig,
    private readonly d: NotifierDeps,
  ) {
    const targets = config.targets.map(configuredTarget);
    if (config.commitStatus) targets.push(commitStatusTarget(config.commitStatus));
    const deps = {
      send: d.send ?? httpSend,
      retry: config.retry,
      queueSize: config.queueSize,
      log: d.log,
      count: (target: string, result: string) => this.counter.inc({ target, result }),
    };
    this.queues = targets.map((t) => new DeliveryQueue(t, deps));
    this.ctx = {
      controller: { host: os.hostname(), instance: d.instance ?? `${os.hostname()}:${process.pid}` },
      id: randomUUID,
      now: d.now ?? (() => new Date()),
      ...(config.dashboardUrl && { dashboardUrl: config.dashboardUrl }),
    };
  }

  attach(registry: Registry): void {
    registry.registerMetric(this.counter);
  }

  release(r: Release): void {
    this.guard(() => this.publish(releaseEvent(r, this.ctx)));
  }

  outcome(project: string, trigger: string, o: Outcome): void {
    this.guard(() => {
      if (o.result === 'healed' && o.repaired > 0) this.publish(driftEvent(project, o, this.ctx));
      if (trigger !== 'webhook' && trigger !== 'poll') return;
      const now = o.result === 'pinned';
      const before = this.pinned.get(project);
      this.pinned.set(project, now);
      // the first pass only learns the state: a pin set before this process started is not news
      if (before !== undefined && before !== now) this.publish(pinEvent(project, now, o, this.ctx));
    });
  }

  leadership(project: string, isLeader: boolean, leader: string | undefined): void {
    this.guard(() => {
      const before = this.leading.get(project);
      this.leading.set(project, isLeader);
      if (before === isLeader || (before === undefined && !isLeader)) return;
      this.publish(leaderEvent(project, isLeader, leader, this.ctx));
    });
  }

  publish(ev: NotifyEvent): void {
    for (const q of this.queues) if (q.target.accepts(ev)) q.push(ev);
  }

  /** Lets queued deliveries go out for a moment (a stopping leader's last events), then cancels. */
  async close(graceMs = CLOSE_GRACE_MS): Promise<void> {
    await Promise.all(this.queues.map((q) => q.close(graceMs)));
  }

  private guard(f: () => void): void {
    try {
      f();
    } catch (err) {
      this.d.log.error({ err: errorFields(err) }, 'could not queue a notification');
    }
  }
}
