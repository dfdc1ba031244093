import type { Lease } from 'etcd3';
import { BosunError, Codes } from '../../errors.ts';
import type { EtcdClient } from './kv.ts';
import { ttlSeconds } from '../coordination/timing.ts';

/**
 * Calls `onExpired` as soon as etcd may have let the lease go. etcd3's own `lost` event waits
 * for twice the TTL without an answer, so for a whole TTL a holder cut off from etcd would
 * still believe in a lock or a leadership that another process already has. Here the lease
 * counts as valid until TTL after the oldest unanswered keepalive was sent (etcd renews on
 * receipt, which is later), which errs on the side of giving up early.
 */
export function watchLeaseValidity(
  lease: Lease,
  ttlMs: number,
  grantSentAt: number,
  onExpired: (why: string) => void,
): () => void {
  let validUntil = grantSentAt + ttlMs;
  let oldestUnanswered: number | undefined;
  const fired = () => void (oldestUnanswered ??= Date.now());
  const answered = () => {
    validUntil = Math.max(validUntil, (oldestUnanswered ?? Date.now()) + ttlMs);
    oldestUnanswered = undefined;
  };
  const lost = (err: Error) => finish(`etcd dropped the lease: ${err.message}`);
  const timer = setInterval(
    () => {
      if (Date.now() >= validUntil) finish(`no keepalive was answered for ${ttlMs / 1000} s`);
    },
    Math.min(250, ttlMs / 8),
  );
  timer.unref();
  lease.on('keepaliveFired', fired).on('keepaliveSucceeded', answered).on('lost', lost);
  let done = false;
  function stop(): void {
    done = true;
    clearInterval(timer);
    lease.off('keepaliveFired', fired).off('keepaliveSucceeded', answered).off('lost', lost);
  }
  function finish(why: string): void {
    if (done) return;
    stop();
    onExpired(why);
  }
  return stop;
}

/** An etcd lease kept alive while this process runs, with `signal` aborted when it may be gone. */
export class KeptLease {
  private readonly lost = new AbortController();
  private stopWatching: () => void = () => undefined;
  private revoked = false;

  private constructor(
    private readonly kv: EtcdClient,
    readonly lease: Lease,
    readonly id: string,
  ) {}

  /** Fails with E_STORE_UNREACHABLE when etcd does not grant it. */
  static async grant(kv: EtcdClient, ttlMs: number): Promise<KeptLease> {
    const sentAt = Date.now();
    const lease = kv.etcd.lease(ttlSeconds(ttlMs));
    lease.on('lost', () => undefined); // a failed grant also emits `lost`; the rejection below reports it
    let id: string;
    try {
      id = await kv.guard(() => lease.grant());
    } catch (err) {
      lease.release();
      throw err;
    }
    const kept = new KeptLease(kv, lease, id);
    kept.stopWatching = watchLeaseValidity(lease, ttlMs, sentAt, (why) => {
      const message = `lease ${id} on ${kv.url} may have expired: ${why}`;
      kept.lost.abort(new BosunError(Codes.storeUnreachable, message));
    });
    return kept;
  }

  get signal(): AbortSignal {
    return this.lost.signal;
  }

  /**
   * Deletes every key on the lease. When etcd cannot be reached the keepalives stop anyway, so
   * the keys still go when the TTL runs out: that is why a failure here is not reported.
   */
  async revoke(): Promise<void> {
    if (this.revoked) return;
    this.revoked = true;
    this.stopWatching();
    await this.kv.guard(() => this.lease.revoke()).catch(() => undefined);
  }
}
