import type { EtcdClient } from './kv.ts';
import { KeptLease } from './lease.ts';
import { endpointConflict } from '../cas/endpoints.ts';
import type { EndpointSink } from '../../ports.ts';

/** Concurrent writers under the prefix are a misconfiguration; a few rereads absorb a race. */
const MAX_ATTEMPTS = 5;

interface Current {
  value: string;
  lease: string;
  mod: string;
}

/**
 * Every endpoint key is on ONE lease of this publisher, kept alive while the process lives:
 * one keepalive stream however many endpoints, and a dead publisher's endpoints all expire
 * together after the TTL. Each write is a transaction on the mod revision that was read, so
 * a concurrent writer makes the sync read again rather than be overwritten blindly.
 */
export class EtcdEndpointSink implements EndpointSink {
  private lease?: KeptLease;

  constructor(
    private readonly kv: EtcdClient,
    private readonly prefix: string,
    private readonly ttlMs: number,
    private readonly onLeaseLost: () => void,
  ) {}

  async sync(desired: Map<string, string>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const conflict = await this.syncOnce(desired);
      if (!conflict) return;
      if (attempt === MAX_ATTEMPTS) throw endpointConflict(conflict);
    }
  }

  /** Revokes the lease: every endpoint of this publisher is deleted at once. */
  async close(): Promise<void> {
    await this.lease?.revoke();
    this.lease = undefined;
  }

  /** undefined when done, else the key whose compare-and-set failed. */
  private async syncOnce(desired: Map<string, string>): Promise<string | undefined> {
    const lease = await this.liveLease();
    const current = await this.read();
    for (const [rel, value] of desired) {
      const key = this.prefix + rel;
      const have = current.get(key);
      // a key of a previous publisher is moved onto our lease, or it would die with that one
      if (have && have.value === value && have.lease === lease.id) continue;
      if (!(await this.putOnLease(key, value, lease.id, have?.mod))) return key;
    }
    for (const [key, have] of current) {
      if (!desired.has(key.slice(this.prefix.length)) && !(await this.deleteIf(key, have.mod))) return key;
    }
    return undefined;
  }

  private async liveLease(): Promise<KeptLease> {
    if (this.lease && !this.lease.signal.aborted) return this.lease;
    await this.lease?.revoke();
    const lease = await KeptLease.grant(this.kv, this.ttlMs);
    lease.signal.addEventListener('abort', () => this.onLeaseLost());
    this.lease = lease;
    return lease;
  }

  private async read(): Promise<Map<string, Current>> {
    const res = await this.kv.guard(() => this.kv.etcd.getAll().prefix(this.prefix).exec(), `read ${this.prefix}*`);
    return new Map(
      res.kvs.map((kv) => [kv.key.toString(), { value: kv.value.toString(), lease: kv.lease, mod: kv.mod_revision }]),
    );
  }

  private async putOnLease(key: string, value: string, leaseId: string, mod: string | undefined): Promise<boolean> {
    const client = this.kv.etcd;
    const unchanged = mod === undefined ? client.if(key, 'Create', '==', 0) : client.if(key, 'Mod', '==', mod);
    const res = await this.kv.guard(
      () => unchanged.then(client.put(key).value(value).lease(leaseId)).commit(),
      `write ${key}`,
    );
    return res.succeeded;
  }

  private async deleteIf(key: string, mod: string): Promise<boolean> {
    const client = this.kv.etcd;
    const res = await this.kv.guard(() => client.if(key, 'Mod', '==', mod).then(client.delete().key(key)).commit());
    return res.succeeded;
  }
}
