/**
 * What bosun itself did to the engine, so the drift watcher can tell its own container removals
 * (replacements, retirements, rollbacks, heals) from real drift: by the ids it removed, never by
 * when an event came. An event about anything else is a hint to look, whenever it arrives.
 */
export interface EngineEvent {
  id: string;
  timeMs: number;
}

export interface OwnActivityOptions {
  /** how long a container id bosun removed is remembered (its events arrive within seconds) */
  rememberIdsMs?: number;
}

export class OwnActivity {
  private readonly removed = new Map<string, number>();
  private readonly rememberIdsMs: number;

  constructor(opts: OwnActivityOptions = {}) {
    this.rememberIdsMs = opts.rememberIdsMs ?? 600_000;
  }

  /** Called before bosun stops and removes a container, so its kill/die/destroy events are known. */
  removing(id: string, now: number): void {
    this.removed.delete(id);
    this.removed.set(id, now);
    for (const [k, at] of this.removed) {
      if (now - at <= this.rememberIdsMs) break;
      this.removed.delete(k);
    }
  }

  /** An event is bosun's own exactly when it is about a container bosun removed. */
  isOwn(ev: EngineEvent): boolean {
    return this.removed.has(ev.id);
  }
}
