/**
 * One run at a time, nothing rejected: an item pushed while a run is in progress waits as the one
 * pending follow-up, and later pushes merge into it. However many triggers arrive during a run,
 * at most one more run follows, and it sees the merge of all of them.
 */
export type PushOutcome = 'started' | 'queued' | 'coalesced' | 'closed';

export interface QueueHooks {
  onCoalesced?: () => void;
  /** the run function should handle its own errors; this catches the ones it did not */
  onError?: (err: unknown) => void;
}

export class CoalescingQueue<T> {
  private active: Promise<void> | undefined;
  private pending: T | undefined;
  private closed = false;

  constructor(
    private readonly run: (item: T) => Promise<void>,
    private readonly merge: (older: T, newer: T) => T,
    private readonly hooks: QueueHooks = {},
  ) {}

  push(item: T): PushOutcome {
    if (this.closed) return 'closed';
    if (!this.active) {
      this.active = this.loop(item);
      return 'started';
    }
    if (this.pending === undefined) {
      this.pending = item;
      return 'queued';
    }
    this.pending = this.merge(this.pending, item);
    this.hooks.onCoalesced?.();
    return 'coalesced';
  }

  state(): { running: boolean; pending: boolean } {
    return { running: this.active !== undefined, pending: this.pending !== undefined };
  }

  /** Resolves when nothing runs and nothing is pending. */
  async idle(): Promise<void> {
    while (this.active !== undefined) await this.active;
  }

  /** Takes no more work and drops the pending follow-up; resolves once the current run ends. */
  async close(): Promise<void> {
    this.closed = true;
    this.pending = undefined;
    await this.idle();
  }

  private async loop(first: T): Promise<void> {
    let item: T | undefined = first;
    while (item !== undefined) {
      try {
        await this.run(item);
      } catch (err) {
        this.hooks.onError?.(err);
      }
      item = this.closed ? undefined : this.pending;
      this.pending = undefined;
    }
    this.active = undefined;
  }
}
