/**
 * What bosun itself did to the engine, so the drift watcher can tell its own container
 * removals (replacements, rollbacks, heals) from real drift. Times are milliseconds on the
 * host clock, which the engine's event timestamps share.
 */
export interface EngineEvent {
  id: string;
  timeMs: number;
}

export interface OwnActivityOptions {
  /** slack after a run ends for events it caused (clock granularity) */
  graceMs?: number;
  /** how long a container id bosun removed is remembered */
  rememberIdsMs?: number;
  maxWindows?: number;
}

export class OwnActivity {
  private readonly windows: { start: number; end?: number }[] = [];
  private readonly removed = new Map<string, number>();
  private readonly graceMs: number;
  private readonly rememberIdsMs: number;
  private readonly maxWindows: number;

  constructor(opts: OwnActivityOptions = {}) {
    this.graceMs = opts.graceMs ?? 250;
    this.rememberIdsMs = opts.rememberIdsMs ?? 600_000;
    this.maxWindows = opts.maxWindows ?? 16;
  }

  begin(now: number): void {
    this.windows.push({ start: now });
    if (this.windows.length > this.maxWindows) this.windows.shift();
  }

  end(now: number): void {
    const open = this.windows.at(-1);
    if (open && open.end === undefined) open.end = now;
  }

  /** Called before bosun stops and removes a container, so its kill/die/destroy events are known. */
  removing(id: string, now: number): void {
    this.removed.set(id, now);
    for (const [k, at] of this.removed) {
      if (now - at <= this.rememberIdsMs) break;
      this.removed.delete(k);
    }
  }

  /** An event is bosun's own when it hit a container bosun removed, or happened while bosun was applying. */
  isOwn(ev: EngineEvent): boolean {
    if (this.removed.has(ev.id)) return true;
    return this.windows.some(
      (w) => ev.timeMs >= w.start - this.graceMs && (w.end === undefined || ev.timeMs <= w.end + this.graceMs),
    );
  }
}
