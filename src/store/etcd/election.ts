import type { Campaign, Election, Lease, Watcher } from 'etcd3';
import type { EtcdClient } from './kv.ts';
import { projectPrefix } from '../layout.ts';
import type { ElectionHandle, OnLeaderChange } from '../../ports.ts';
import { watchLeaseValidity } from './lease.ts';
import { electionPrefix } from '../coordination/keys.ts';
import { jitter, ttlSeconds } from '../coordination/timing.ts';

type OnChange = OnLeaderChange;

/**
 * etcd3's Election "leader" in the project's namespace: each candidate puts a key on its own
 * lease under /bosun/<project>/election/leader/, and the oldest key leads. A SIGKILLed leader's
 * lease expires after the TTL, its key goes, and the next candidate's Campaign is elected.
 *
 * Who leads is read with `getAll().sort('Create')` (what `election.leader()` does), never with
 * `election.observe()`, whose first report is always "no leader". Followers refresh that on
 * every watch event under the prefix, and every TTL in case a watch was slow to reconnect.
 */
export class EtcdElection implements ElectionHandle {
  private readonly election: Election;
  private readonly prefix: string;
  private campaign?: Campaign;
  private stopValidity: () => void = () => undefined;
  private leading = false;
  private closed = false;
  private watcher?: Watcher;
  private poller?: NodeJS.Timeout;
  private retry?: NodeJS.Timeout;
  private lastReport?: string;
  private refreshing?: Promise<void>;
  private refreshAgain = false;
  /** bumped on every election, so a read sent before it cannot unseat the new leader */
  private terms = 0;

  constructor(
    private readonly kv: EtcdClient,
    project: string,
    private readonly candidate: string,
    private readonly ttlMs: number,
    private readonly onChange: OnChange,
  ) {
    this.election = kv.etcd.namespace(projectPrefix(project)).election('leader', ttlSeconds(ttlMs));
    this.prefix = electionPrefix(project);
  }

  async start(): Promise<void> {
    try {
      await this.campaignOnce();
    } catch (err) {
      await this.resign();
      throw err;
    }
    this.watch();
    this.poller = setInterval(() => void this.refresh(), this.ttlMs);
    this.poller.unref();
    await this.refresh();
  }

  isLeader(): boolean {
    return this.leading;
  }

  async leader(): Promise<string | undefined> {
    return this.readLeader();
  }

  async resign(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poller);
    clearTimeout(this.retry);
    this.stopValidity();
    const campaign = this.campaign;
    this.campaign = undefined;
    const wasLeading = this.leading;
    this.leading = false;
    await this.watcher?.cancel().catch(() => undefined);
    // revoking the lease deletes our key; unreachable etcd lets it expire instead
    await campaign?.resign().catch(() => undefined);
    if (wasLeading) this.onChange(false, undefined);
  }

  /** Resolves once the campaign's lease is granted (so an unreachable etcd fails the caller). */
  private async campaignOnce(): Promise<void> {
    const startedAt = Date.now();
    const campaign = this.election.campaign(this.candidate);
    this.campaign = campaign;
    // etcd3 keeps the Campaign's lease private, yet its keepalives are the only early sign of loss
    const lease = (campaign as unknown as { lease: Lease }).lease;
    this.stopValidity = watchLeaseValidity(lease, this.ttlMs, startedAt, () => this.lose(campaign));
    // etcd3 emits `elected` even for a campaign resigned while waiting: only the current one counts
    campaign.on('elected', () => {
      if (campaign !== this.campaign || this.closed) return;
      this.terms++;
      this.leading = true;
      this.report(true, this.candidate);
    });
    campaign.on('error', () => this.lose(campaign));
    try {
      await this.kv.guard(() => campaign.getCampaignKey(), `campaign under ${this.prefix}`);
    } catch (err) {
      this.lose(campaign);
      throw err;
    }
  }

  /** The campaign failed (lease lost, watch failed): step down if leading, and campaign again. */
  private lose(campaign: Campaign): void {
    if (campaign !== this.campaign) return;
    this.campaign = undefined;
    this.stopValidity();
    void campaign.resign().catch(() => undefined);
    if (this.leading) {
      this.leading = false;
      this.report(false, undefined);
    }
    if (this.closed) return;
    this.retry = setTimeout(
      () => {
        if (!this.closed) this.campaignOnce().catch(() => undefined);
      },
      jitter(100, Math.min(1_000, this.ttlMs / 2)),
    );
    void this.refresh();
  }

  private watch(): void {
    const watcher = this.kv.etcd.watch().prefix(this.prefix).watcher();
    watcher.on('data', () => void this.refresh());
    watcher.on('connected', () => void this.refresh());
    watcher.on('error', () => {
      void watcher.cancel().catch(() => undefined);
      if (!this.closed) setTimeout(() => !this.closed && this.watch(), 1_000).unref();
    });
    this.watcher = watcher;
  }

  /** One read at a time, and one more after it when asked meanwhile: reports never go back in time. */
  private refresh(): Promise<void> {
    if (this.refreshing !== undefined) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = (async () => {
      do {
        this.refreshAgain = false;
        await this.refreshOnce();
      } while (this.refreshAgain && !this.closed);
    })().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const term = this.terms;
    let first: string | undefined;
    try {
      first = await this.readLeader();
    } catch {
      return; // etcd unreachable: keep what was said; the poller tries again
    }
    if (this.closed) return;
    if (term !== this.terms) return void (this.refreshAgain = true);
    const campaign = this.campaign;
    // candidate names are unique, so a leader key with another name means ours is gone
    if (this.leading && campaign && first !== this.candidate) return this.lose(campaign);
    // our own key at the head (or not written yet): the `elected` event is on its way
    if (this.leading || first === this.candidate || (first === undefined && campaign)) return;
    this.report(false, first);
  }

  /** The value of the oldest key under the prefix: what etcd3's `election.leader()` reads. */
  private async readLeader(): Promise<string | undefined> {
    const res = await this.kv.guard(
      () => this.kv.etcd.getAll().prefix(this.prefix).sort('Create', 'Ascend').limit(1).exec(),
      `read ${this.prefix}*`,
    );
    return res.kvs[0]?.value.toString();
  }

  private report(isLeader: boolean, leader: string | undefined): void {
    const state = `${isLeader}\n${leader ?? ''}`;
    if (this.closed || state === this.lastReport) return;
    this.lastReport = state;
    this.onChange(isLeader, leader);
  }
}
