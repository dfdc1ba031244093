import type { KvEntry } from '../../src/model/observed.ts';
import type { KvStore, KvTxn } from '../../src/ports.ts';
import { casCoordination } from '../../src/store/cas/coordination.ts';

/**
 * An in-memory KvStore for pure-logic unit tests (never for integration tests: those use etcd
 * and the embedded store). `failNext` scripts a failure of the next call to one method.
 */
export class MemoryKv implements KvStore {
  readonly url = 'memory:';
  readonly coordination = casCoordination(this);
  readonly entries = new Map<string, { value: string; version: number }>();
  private version = 0;
  private readonly failures = new Map<string, () => Error>();

  /** the next call of `method` rejects with what `error` returns */
  failNext(method: 'get' | 'list' | 'put' | 'putIf' | 'delete' | 'commit', error: () => Error): void {
    this.failures.set(method, error);
  }

  /** a write by someone else: bumps the version as any write does */
  write(key: string, value: string): void {
    this.entries.set(key, { value, version: ++this.version });
  }

  async get(key: string): Promise<KvEntry | undefined> {
    this.maybeFail('get');
    return this.entry(key);
  }

  async list(prefix: string): Promise<KvEntry[]> {
    this.maybeFail('list');
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(prefix)).sort();
    return keys.map((k) => this.entry(k)!);
  }

  async put(key: string, value: string): Promise<void> {
    this.maybeFail('put');
    this.write(key, value);
  }

  async putIf(key: string, value: string, expected: string | null): Promise<boolean> {
    this.maybeFail('putIf');
    const current = this.entries.get(key);
    if ((current === undefined ? null : String(current.version)) !== expected) return false;
    this.write(key, value);
    return true;
  }

  async delete(key: string): Promise<void> {
    this.maybeFail('delete');
    this.entries.delete(key);
  }

  async commit(txn: KvTxn): Promise<boolean> {
    this.maybeFail('commit');
    for (const { key, version } of txn.expect) {
      const current = this.entries.get(key);
      if ((current === undefined ? null : String(current.version)) !== version) return false;
    }
    for (const { key, value } of txn.put) this.write(key, value);
    for (const key of txn.delete) this.entries.delete(key);
    return true;
  }

  async close(): Promise<void> {}

  private entry(key: string): KvEntry | undefined {
    const e = this.entries.get(key);
    return e && { key, value: e.value, version: String(e.version) };
  }

  private maybeFail(method: string): void {
    const error = this.failures.get(method);
    if (!error) return;
    this.failures.delete(method);
    throw error();
  }
}
