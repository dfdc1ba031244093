/**
 * One target's deliveries: a bounded in-memory queue, sent one at a time (in order: a commit
 * status's `pending` must not overtake its `success`), each retried with backoff. Pushing never
 * waits and never throws, so the pass that produced an event is not slowed by any receiver;
 * when the queue is full the oldest event is dropped and counted.
 */
import type { Logger } from '../log.ts';
import type { RetryConfig } from './config.ts';
import type { NotifyEvent } from './events.ts';
import { backoffDelay, retryable, retryAfterMs } from './retry.ts';
import type { Answer, Send } from './send.ts';
import type { Target } from './targets.ts';
import { redact } from '../../source/redact.ts';

export type DeliveryResult = 'delivered' | 'retried' | 'failed' | 'rejected' | 'dropped';

export interface DeliveryDeps {
  send: Send;
  retry: RetryConfig;
  queueSize: number;
  log: Logger;
  count: (target: string, result: DeliveryResult) => void;
  now?: () => number;
  random?: () => number;
}

export class DeliveryQueue {
  private readonly items: NotifyEvent[] = [];
  private running: Promise<void> | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;

  constructor(
    readonly target: Target,
    private readonly d: DeliveryDeps,
  ) {}

  get length(): number {
    return this.items.length;
  }

  push(ev: NotifyEvent): void {
    if (this.stopping.signal.aborted) return;
    if (this.items.length >= this.d.queueSize) {
      const dropped = this.items.shift()!;
      this.d.count(this.target.name, 'dropped');
      this.d.log.warn(
        { target: this.target.name, event: dropped.event, id: dropped.id, queueSize: this.d.queueSize },
        'notification queue full: oldest event dropped',
      );
    }
    this.items.push(ev);
    this.running ??= this.pump().finally(() => (this.running = undefined));
  }

  /** Lets queued deliveries finish for up to `graceMs`, then cancels the rest. */
  async close(graceMs: number): Promise<void> {
    if (this.running !== undefined) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.running, new Promise((r) => (timer = setTimeout(r, graceMs)))]);
      clearTimeout(timer);
    }
    this.stopping.abort();
    this.wake?.();
    this.items.length = 0;
    await this.running;
  }

  private async pump(): Promise<void> {
    for (let ev = this.items.shift(); ev; ev = this.items.shift()) {
      if (this.stopping.signal.aborted) return;
      await this.deliver(ev).catch((err: unknown) =>
        this.d.log.error({ target: this.target.name, err: String(err) }, 'notification delivery crashed'),
      );
    }
  }

  private async deliver(ev: NotifyEvent): Promise<void> {
    const { retry } = this.d;
    const now = this.d.now ?? Date.now;
    for (let attempt = 1; ; attempt++) {
      const req = this.target.request(ev, new Date(now()));
      if (!req) return;
      const answer = await this.d.send(req, retry.timeoutMs, this.stopping.signal);
      const ok = answer.status !== undefined && answer.status >= 200 && answer.status < 300;
      if (ok) return this.done(ev, 'delivered', attempt, answer);
      if (!retryable(answer.status)) return this.done(ev, 'rejected', attempt, answer);
      if (attempt >= retry.attempts || this.stopping.signal.aborted) return this.done(ev, 'failed', attempt, answer);
      const delayMs = retryAfterMs(answer.retryAfter, now()) ?? backoffDelay(attempt, retry, this.d.random);
      this.d.count(this.target.name, 'retried');
      this.d.log.info({ ...this.fields(ev, attempt, answer), delayMs }, 'notification not delivered: retrying');
      await this.sleep(delayMs);
    }
  }

  private done(ev: NotifyEvent, result: DeliveryResult, attempt: number, answer: Answer): void {
    this.d.count(this.target.name, result);
    const fields = this.fields(ev, attempt, answer);
    if (result === 'delivered') this.d.log.debug(fields, 'notification delivered');
    else this.d.log.warn(fields, `notification ${result === 'rejected' ? 'refused by the receiver' : 'given up'}`);
  }

  /** Never the URL or a header: the target's name says where. */
  private fields(ev: NotifyEvent, attempt: number, a: Answer) {
    const cause = a.cause === undefined ? undefined : redact(a.cause, this.target.secrets);
    return { target: this.target.name, event: ev.event, id: ev.id, attempt, status: a.status, cause };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
