/**
 * How long drift lasted: from the engine event that showed it to the end of the heal that
 * repaired it. Only the earliest unrepaired event counts, so a burst of events is one drift.
 */
export interface DriftRepair {
  /** when the engine reported the first event of the drift (ISO) */
  seenAt: string;
  /** when the heal that repaired it ended (ISO) */
  repairedAt: string;
  ms: number;
}

export class DriftClock {
  private since: number | undefined;
  last: DriftRepair | null = null;

  /** a workload event that is not bosun's own, at `atMs` on the host clock */
  seen(atMs: number): void {
    if (this.since === undefined || atMs < this.since) this.since = atMs;
  }

  /**
   * A pass that looked at the whole stack from `startedMs` on has ended, having repaired
   * `repaired` operations. Returns how long the drift took when it repaired one seen before it
   * looked; drift seen after it looked waits for the next pass (which the event queued).
   */
  looked(startedMs: number, repaired: number, nowMs: number): number | undefined {
    const since = this.since;
    if (since === undefined || since > startedMs) return undefined;
    this.since = undefined;
    if (repaired === 0) return undefined;
    const ms = Math.max(0, nowMs - since);
    this.last = { seenAt: new Date(since).toISOString(), repairedAt: new Date(nowMs).toISOString(), ms };
    return ms;
  }
}
