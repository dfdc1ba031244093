import type { ElectionHandle, KvStore, OnLeaderChange } from '../../ports.ts';
import { CasHold } from './hold.ts';
import { isFree, parseRecord } from './record.ts';
import { electionRecordKey } from '../coordination/keys.ts';

type OnChange = OnLeaderChange;

/**
 * Leader election on a store without leases (the embedded file store): one record at
 * /bosun/<project>/election/leader, held like the apply lock (expiry renewed by the leader,
 * taken over by compare-and-set once expired or once the leader's pid is gone). Every
 * candidate looks at it a few times per TTL. Only meaningful between processes of one host.
 */
export class CasElection implements ElectionHandle {
  private readonly key: string;
  private readonly pollMs: number;
  private hold?: CasHold;
  private closed = false;
  private timer?: NodeJS.Timeout;
  private ticking: Promise<void> = Promise.resolve();
  private lastReport?: string;

  constructor(
    private readonly kv: KvStore,
    project: string,
    private readonly candidate: string,
    private readonly ttlMs: number,
    private readonly onChange: OnChange,
  ) {
    this.key = electionRecordKey(project);
    this.pollMs = Math.min(500, ttlMs / 3);
  }

  async start(): Promise<void> {
    this.ticking = this.tick();
    await this.ticking;
    // ref'd on purpose, like etcd's keepalives: a candidate takes part until it resigns
    this.timer = setInterval(() => this.schedule(), this.pollMs);
  }

  isLeader(): boolean {
    return this.hold !== undefined && !this.hold.signal.aborted;
  }

  async leader(): Promise<string | undefined> {
    const record = parseRecord((await this.kv.get(this.key))?.value);
    return isFree(record) ? undefined : record?.holder;
  }

  async resign(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    await this.ticking;
    const hold = this.hold;
    this.hold = undefined;
    if (!hold) return;
    await hold.release();
    this.onChange(false, undefined);
  }

  private schedule(): void {
    // a failed look (store trouble) is retried on the next tick
    this.ticking = this.ticking.then(() => this.tick()).catch(() => undefined);
  }

  private async tick(): Promise<void> {
    if (this.closed || this.isLeader()) return;
    if (this.hold) {
      this.hold = undefined; // taken over, or not renewed in time
      this.report(false, undefined);
    }
    const { hold, current } = await CasHold.tryTake(this.kv, this.key, this.candidate, this.ttlMs);
    if (hold && this.closed) return hold.release();
    if (hold) {
      this.hold = hold;
      hold.signal.addEventListener('abort', () => this.schedule());
      this.report(true, this.candidate);
    } else if (current) {
      this.report(false, current.holder);
    }
  }

  private report(isLeader: boolean, leader: string | undefined): void {
    const state = `${isLeader}\n${leader ?? ''}`;
    if (this.closed || state === this.lastReport) return;
    this.lastReport = state;
    this.onChange(isLeader, leader);
  }
}
