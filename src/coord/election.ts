import { BosunError, Codes } from '../errors.ts';
import type { ElectionHandle, KvStore } from '../ports.ts';

/** A SIGKILLed leader is replaced within this; shorter leases cost more keepalive traffic. */
export const DEFAULT_ELECTION_TTL_MS = 5_000;

export type { ElectionHandle } from '../ports.ts';

export interface ElectionOptions {
  ttlMs?: number;
  /**
   * Called on every change of (isLeader, leader), never twice in a row with the same pair.
   * `leader` is undefined while nobody leads (between leaders). While the store cannot be read,
   * nothing is reported, except that a leader steps down once its lease may have expired.
   * It runs inside store callbacks: it must not throw.
   */
  onChange: (isLeader: boolean, leader: string | undefined) => void;
}

/**
 * Joins the project's leader election and keeps campaigning until `resign()`: a candidate that
 * loses its lease, or sees the leader vanish, campaigns again by itself. `candidate` must be
 * unique among the candidates (e.g. `host:pid`): it is what followers see as the leader.
 * Fails with E_STORE_UNREACHABLE when the store cannot be reached at the start.
 */
export async function startElection(
  kv: KvStore,
  project: string,
  candidate: string,
  opts: ElectionOptions,
): Promise<ElectionHandle> {
  const ttlMs = opts.ttlMs ?? DEFAULT_ELECTION_TTL_MS;
  if (!(ttlMs > 0)) throw new BosunError(Codes.usage, `election ttl must be positive, got ${opts.ttlMs}`);
  if (candidate === '') throw new BosunError(Codes.usage, 'an election candidate needs a non-empty name');
  const election = kv.coordination.election(project, candidate, ttlMs, opts.onChange);
  await election.start();
  return election;
}
