import { BosunError, Codes } from '../../errors.ts';
import type { EndpointSink, KvStore } from '../../ports.ts';

export function endpointConflict(key: string): BosunError {
  return new BosunError(
    Codes.storeConflict,
    `${key} kept changing under the endpoint publisher: is a second one running?`,
    {
      data: { key },
    },
  );
}

/**
 * Endpoints on a store without leases (the embedded file store): plain compare-and-set writes,
 * which do not expire. close() withdraws what this publisher wrote; after a crash the keys stay
 * until the next publisher's first sync.
 */
export class KvEndpointSink implements EndpointSink {
  private written = new Map<string, string>();

  constructor(
    private readonly kv: KvStore,
    private readonly prefix: string,
  ) {}

  async sync(desired: Map<string, string>): Promise<void> {
    const current = new Map((await this.kv.list(this.prefix)).map((e) => [e.key, e]));
    for (const [rel, value] of desired) {
      const key = this.prefix + rel;
      const have = current.get(key);
      if (have?.value === value) continue;
      if (!(await this.kv.putIf(key, value, have?.version ?? null))) throw endpointConflict(key);
    }
    for (const key of current.keys()) {
      if (!desired.has(key.slice(this.prefix.length))) await this.kv.delete(key);
    }
    this.written = new Map([...desired].map(([rel, value]) => [this.prefix + rel, value]));
  }

  async close(): Promise<void> {
    for (const [key, value] of this.written) {
      // only what still says what we wrote: a successor may already have published over it
      if ((await this.kv.get(key))?.value === value) await this.kv.delete(key);
    }
    this.written.clear();
  }
}
