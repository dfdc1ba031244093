import os from 'node:os';
import { startElection, type ElectionHandle } from '../coord/election.ts';
import type { Backend } from '../backends/backend.ts';
import { Drainer } from '../coord/drain.ts';
import { EndpointPublisher } from '../coord/endpoints.ts';
import type { KvStore } from '../ports.ts';
import { errorFields, type Logger } from './log.ts';

/** How often the leader re-publishes endpoints, so health changes between passes show up. */
const PUBLISH_EVERY_MS = 5_000;

export interface LeadershipOptions {
  kv: KvStore;
  project: string;
  backend: Backend;
  log: Logger;
  /** called when this process becomes leader: converge whatever happened meanwhile */
  onElected: () => void;
  /** every change seen (notifications); must not throw */
  onChange?: (isLeader: boolean, leader: string | undefined) => void;
}

/**
 * Many `bosun serve` processes, one writer: only the elected leader reconciles and publishes
 * service endpoints (on its own lease, so a dead leader's endpoints expire). Followers keep
 * serving health, metrics and status, and take over when the leader's lease lapses.
 */
export class Leadership {
  readonly candidate = `${os.hostname()}:${process.pid}`;
  private election: ElectionHandle | undefined;
  private publisher: EndpointPublisher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private leaderName: string | undefined;
  private readonly drainer: Drainer;

  constructor(private readonly o: LeadershipOptions) {
    this.drainer = new Drainer(o.kv);
  }

  async start(): Promise<void> {
    this.election = await startElection(this.o.kv, this.o.project, this.candidate, {
      // runs inside etcd3's callbacks: must never throw
      onChange: (isLeader, leader) => {
        this.leaderName = leader;
        this.o.log.info(
          { leader, me: this.candidate },
          isLeader ? 'elected leader' : `following ${leader ?? '(no leader)'}`,
        );
        if (isLeader) this.lead();
        else this.follow();
        this.o.onChange?.(isLeader, leader);
      },
    });
  }

  isLeader(): boolean {
    return this.election?.isLeader() ?? false;
  }

  leader(): string | undefined {
    return this.isLeader() ? this.candidate : this.leaderName;
  }

  /** Publishes the healthy replicas' endpoints; a no-op on followers. Never throws. */
  async publish(): Promise<void> {
    const publisher = this.publisher;
    if (!publisher || !this.isLeader()) return;
    try {
      await publisher.sync(await this.o.backend.endpoints(this.o.project));
      await this.drainer.prune(this.o.project);
    } catch (err) {
      this.o.log.warn({ err: errorFields(err) }, 'could not publish endpoints');
    }
  }

  async stop(): Promise<void> {
    this.follow();
    await this.election?.resign().catch(() => undefined);
  }

  private lead(): void {
    if (this.publisher) return;
    this.publisher = new EndpointPublisher(this.o.kv, this.o.project);
    this.timer = setInterval(() => void this.publish(), PUBLISH_EVERY_MS);
    this.o.onElected();
  }

  private follow(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const publisher = this.publisher;
    this.publisher = undefined;
    void publisher?.close().catch(() => undefined);
  }
}
