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
  /** the election joined: a project's name, or a cluster repo's (stacks/record.ts#clusterElection) */
  election: string;
  /** the projects whose endpoints the leader publishes: one, or every stack of a cluster repo */
  projects: () => readonly string[];
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
  private publishers: Map<string, EndpointPublisher> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private leaderName: string | undefined;
  private readonly drainer: Drainer;

  constructor(private readonly o: LeadershipOptions) {
    this.drainer = new Drainer(o.kv);
  }

  async start(): Promise<void> {
    this.election = await startElection(this.o.kv, this.o.election, this.candidate, {
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

  /**
   * Publishes the healthy replicas' endpoints of every project; a no-op on followers. A project no
   * longer listed (a stack that left) has its endpoints withdrawn. Never throws.
   */
  async publish(): Promise<void> {
    const publishers = this.publishers;
    if (!publishers || !this.isLeader()) return;
    const projects = new Set(this.o.projects());
    for (const [project, p] of publishers) {
      if (projects.has(project)) continue;
      publishers.delete(project);
      void p.close().catch(() => undefined);
    }
    await Promise.all([...projects].map((project) => this.publishOne(publishers, project)));
  }

  private async publishOne(publishers: Map<string, EndpointPublisher>, project: string): Promise<void> {
    let publisher = publishers.get(project);
    // stepped down meanwhile: a publisher made now would hold a lease nobody closes
    if (this.publishers !== publishers) return;
    if (!publisher) {
      publisher = new EndpointPublisher(this.o.kv, project);
      publishers.set(project, publisher);
    }
    try {
      await publisher.sync(await this.o.backend.endpoints(project));
      await this.drainer.prune(project);
    } catch (err) {
      this.o.log.warn({ err: errorFields(err), project }, 'could not publish endpoints');
    }
  }

  async stop(): Promise<void> {
    this.follow();
    await this.election?.resign().catch(() => undefined);
  }

  private lead(): void {
    if (this.publishers) return;
    this.publishers = new Map();
    this.timer = setInterval(() => void this.publish(), PUBLISH_EVERY_MS);
    this.o.onElected();
  }

  private follow(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    const publishers = this.publishers;
    this.publishers = undefined;
    for (const p of publishers?.values() ?? []) void p.close().catch(() => undefined);
  }
}
