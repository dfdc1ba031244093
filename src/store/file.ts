import { chmodSync, mkdirSync, readdirSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { createRequire } from 'node:module';
import type { Database, RootDatabase } from 'lmdb';
import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { KvStore, KvTxn } from '../ports.ts';
import { casCoordination } from './cas/coordination.ts';

/**
 * lmdb (a native addon and msgpackr) loads when the first store opens: a verb that reads only the
 * repo (validate, convert) never opens one. Required as a package, as etcd3 is (store/etcd/kv.ts).
 */
let lmdbModule: typeof import('lmdb') | undefined;
function lmdb(): typeof import('lmdb') {
  return (lmdbModule ??= createRequire(import.meta.url)('lmdb') as typeof import('lmdb'));
}

interface StoredValue {
  value: string;
  version: number;
}

const COUNTER_KEY = 'version-counter';

/**
 * The embedded store, for one host without etcd. LMDB gives what the design asks for:
 * commits are atomic and survive a crash of the process (copy-on-write pages, meta page
 * switched last), and its lock file serializes writers of every process that opens the same
 * path, so a read-then-write inside one write transaction is a compare-and-set across processes.
 *
 * Entries live in a named sub-database, not the root: LMDB records named databases as keys of
 * the root one, which would otherwise show up in `list('')`.
 */
export class FileKv implements KvStore {
  readonly url: string;
  readonly coordination = casCoordination(this);
  readonly path: string;
  private readonly root: RootDatabase;
  private readonly entries: Database<StoredValue, string>;
  /** holds the version counter, shared by every key, so a version is never reused */
  private readonly meta: Database<number, string>;

  constructor(path: string) {
    this.path = resolve(path);
    this.url = `file:${path}`;
    try {
      // lmdb treats a path with an extension as a file, and creates only the last directory itself
      mkdirSync(extname(this.path) ? dirname(this.path) : this.path, { recursive: true, mode: 0o700 });
      this.root = ownerOnly(() => lmdb().open({ path: this.path }));
      narrow(this.path);
      this.entries = this.root.openDB<StoredValue, string>({ name: 'kv' });
      this.meta = this.root.openDB<number, string>({ name: 'meta' });
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      throw new BosunError(Codes.storeOpen, `cannot open state file ${this.path}: ${reason}`, { cause: err });
    }
  }

  async get(key: string): Promise<KvEntry | undefined> {
    this.seeOtherProcesses();
    const stored = this.entries.get(key);
    return stored ? toEntry(key, stored) : undefined;
  }

  async list(prefix: string): Promise<KvEntry[]> {
    this.seeOtherProcesses();
    const found: KvEntry[] = [];
    for (const { key, value } of this.entries.getRange({ start: prefix })) {
      if (!key.startsWith(prefix)) break;
      found.push(toEntry(key, value));
    }
    return found;
  }

  async put(key: string, value: string): Promise<void> {
    this.root.transactionSync(() => this.write(key, value));
  }

  async putIf(key: string, value: string, expected: string | null): Promise<boolean> {
    return this.root.transactionSync(() => {
      // inside the write transaction: no other process can write between this read and the put
      const current = this.entries.get(key);
      const currentVersion = current ? String(current.version) : null;
      if (currentVersion !== expected) return false;
      this.write(key, value);
      return true;
    });
  }

  async delete(key: string): Promise<void> {
    this.root.transactionSync(() => {
      this.entries.removeSync(key);
    });
  }

  async commit(txn: KvTxn): Promise<boolean> {
    return this.root.transactionSync(() => {
      // inside one write transaction: the checks and the writes commit together, or nothing does
      for (const { key, version } of txn.expect) {
        const current = this.entries.get(key);
        if ((current ? String(current.version) : null) !== version) return false;
      }
      for (const { key, value } of txn.put) this.write(key, value);
      for (const key of txn.delete) this.entries.removeSync(key);
      return true;
    });
  }

  async close(): Promise<void> {
    await this.root.close();
  }

  /** Must run inside a write transaction, so the counter and the entry commit together. */
  private write(key: string, value: string): void {
    const version = (this.meta.get(COUNTER_KEY) ?? 0) + 1;
    this.meta.putSync(COUNTER_KEY, version);
    this.entries.putSync(key, { value, version });
  }

  /**
   * lmdb-js reuses a read snapshot until the next event turn or a write of this process;
   * another process's commit must be visible to the read that follows it.
   */
  private seeOtherProcesses(): void {
    this.root.resetReadTxn();
  }
}

/**
 * The store holds releases (secrets in them are encrypted, but their shape and history are
 * not for everyone) and the apply lock: files are created 0600 and existing ones narrowed.
 */
function ownerOnly<T>(fn: () => T): T {
  // worker threads cannot set the umask: there, narrow() right after creation has to do
  const previous = isMainThread ? process.umask(0o077) : undefined;
  try {
    return fn();
  } finally {
    if (previous !== undefined) process.umask(previous);
  }
}

/** The store's own folder 0700 and its files 0600; a folder the user named for a file store is left alone. */
function narrow(path: string): void {
  if (extname(path)) {
    const name = basename(path);
    for (const f of readdirSync(dirname(path)))
      if (f === name || f === `${name}-lock`) chmodSync(join(dirname(path), f), 0o600);
    return;
  }
  chmodSync(path, 0o700);
  for (const f of readdirSync(path)) chmodSync(join(path, f), 0o600);
}

function toEntry(key: string, stored: StoredValue): KvEntry {
  return { key, value: stored.value, version: String(stored.version) };
}
