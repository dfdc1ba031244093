import type { EtcdClient } from './kv.ts';
import type { ApplyLock } from '../../ports.ts';
import { lockedError } from '../coordination/lock-error.ts';
import { KeptLease } from './lease.ts';

/** A watch can miss nothing, but a reconnecting one may be slow: look again at least this often. */
const RECHECK_MS = 1_000;

type Attempt = { created: true; revision: string } | { created: false; revision: string; value: string | undefined };

/**
 * The lock key is created only if absent (Create == 0), on a lease of our own: if this process
 * dies the keepalives stop and etcd deletes the key after the TTL. Waiters watch for the delete.
 */
export async function acquireOnEtcd(
  kv: EtcdClient,
  key: string,
  holder: string,
  opts: { waitMs: number; ttlMs: number },
): Promise<ApplyLock> {
  const lease = await KeptLease.grant(kv, opts.ttlMs);
  const deadline = Date.now() + opts.waitMs;
  try {
    for (;;) {
      const since = new Date().toISOString();
      const attempt = await tryCreate(kv, key, JSON.stringify({ holder, since }), lease.id);
      if (attempt.created) return heldLock(kv, key, { holder, since }, attempt.revision, lease);
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw lockedError(key, attempt.value);
      await untilDeleted(kv, key, attempt.revision, Math.min(remaining, RECHECK_MS));
    }
  } catch (err) {
    await lease.revoke();
    throw err;
  }
}

async function tryCreate(kv: EtcdClient, key: string, value: string, leaseId: string): Promise<Attempt> {
  const client = kv.etcd;
  const res = await kv.guard(
    () =>
      client
        .if(key, 'Create', '==', 0)
        .then(client.put(key).value(value).lease(leaseId))
        .else(client.get(key))
        .commit(),
    `write the lock ${key}`,
  );
  // the put of a successful transaction is the key's mod revision; a failed one read the holder
  if (res.succeeded) return { created: true, revision: res.header.revision };
  const holderKv = res.responses[0]?.response_range?.kvs[0];
  return { created: false, revision: res.header.revision, value: holderKv?.value.toString() };
}

/** Resolves when `key` is deleted after `revision`, or after `ms`, whichever comes first. */
async function untilDeleted(kv: EtcdClient, key: string, revision: string, ms: number): Promise<void> {
  const watcher = kv.etcd
    .watch()
    .key(key)
    .startRevision(String(BigInt(revision) + 1n))
    .only('delete')
    .watcher();
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      watcher.on('delete', () => resolve());
      // an error ends this wait only; the caller tries the transaction again
      watcher.on('error', () => resolve());
    });
  } finally {
    clearTimeout(timer);
    await watcher.cancel().catch(() => undefined);
  }
}

function heldLock(
  kv: EtcdClient,
  key: string,
  who: { holder: string; since: string },
  revision: string,
  lease: KeptLease,
): ApplyLock {
  let released = false;
  return {
    ...who,
    signal: lease.signal,
    async release() {
      if (released) return;
      released = true;
      const client = kv.etcd;
      // delete only the key we created (same mod revision); revoking the lease would too, but a
      // revoke that cannot reach etcd leaves the key until the TTL, and this says what we mean
      try {
        await kv.guard(() => client.if(key, 'Mod', '==', revision).then(client.delete().key(key)).commit());
      } catch {
        // unreachable: the revoke below stops the keepalives, so the key expires with the lease
      } finally {
        await lease.revoke();
      }
    },
  };
}
