import type { KvStore } from '../../ports.ts';
import { BosunError, Codes } from '../../errors.ts';
import { isFree, newRecord, parseRecord, type CasRecord } from './record.ts';
import { messageOf } from '../coordination/timing.ts';

export interface TakeResult {
  hold?: CasHold;
  /** the live record that kept us out; absent when another contender won the same instant */
  current?: CasRecord;
}

/**
 * A CasRecord this process holds under `key`, renewed every third of its TTL with putIf on the
 * version it last wrote, so a takeover by someone else is seen as a failed compare-and-set.
 */
export class CasHold {
  private readonly lost = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private renewing: Promise<void> = Promise.resolve();
  private released = false;

  private constructor(
    private readonly kv: KvStore,
    private readonly key: string,
    private record: CasRecord,
    private version: string,
    private readonly ttlMs: number,
  ) {
    this.timer = setInterval(() => {
      this.renewing = this.renewing.then(() => this.renew());
    }, ttlMs / 3);
    // the holder's own work keeps the process alive; a forgotten hold must not
    this.timer.unref();
  }

  /** Takes the record when it is free; never waits. */
  static async tryTake(kv: KvStore, key: string, holder: string, ttlMs: number): Promise<TakeResult> {
    const entry = await kv.get(key);
    const current = parseRecord(entry?.value);
    if (entry && !isFree(current)) return { current };
    const record = newRecord(holder, ttlMs);
    if (!(await kv.putIf(key, JSON.stringify(record), entry?.version ?? null))) return {};
    const version = await versionIfOurs(kv, key, record.token);
    return version ? { hold: new CasHold(kv, key, record, version, ttlMs) } : {};
  }

  get holder(): string {
    return this.record.holder;
  }

  get since(): string {
    return this.record.since;
  }

  /** Aborted when the record was taken over or could not be renewed before it expired. */
  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /** Marks the record released (expiresAt 0) if it is still ours; a conditional write, never a blind delete. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    clearInterval(this.timer);
    await this.renewing;
    if (this.signal.aborted) return;
    await this.kv.putIf(this.key, JSON.stringify({ ...this.record, expiresAt: 0 }), this.version);
  }

  private async renew(): Promise<void> {
    if (this.released || this.signal.aborted) return;
    const next = { ...this.record, expiresAt: Date.now() + this.ttlMs };
    try {
      const written = await this.kv.putIf(this.key, JSON.stringify(next), this.version);
      const version = written ? await versionIfOurs(this.kv, this.key, next.token) : undefined;
      if (!version) return this.lose('it was taken over');
      this.record = next;
      this.version = version;
    } catch (err) {
      // a failed write is only fatal once the record may have expired for the others
      if (Date.now() >= this.record.expiresAt)
        this.lose(`it could not be renewed before it expired: ${messageOf(err)}`);
    }
  }

  private lose(why: string): void {
    clearInterval(this.timer);
    const message = `${this.key} held by ${this.record.holder} was lost: ${why}`;
    this.lost.abort(new BosunError(Codes.locked, message, { data: { key: this.key } }));
  }
}

/**
 * putIf does not return the new version; reading it back is safe because nobody else can write
 * a record that is live and whose holder is alive.
 */
async function versionIfOurs(kv: KvStore, key: string, token: string): Promise<string | undefined> {
  const entry = await kv.get(key);
  return entry && parseRecord(entry.value)?.token === token ? entry.version : undefined;
}
