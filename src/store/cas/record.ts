import { randomUUID } from 'node:crypto';
import { readlinkSync } from 'node:fs';
import { hostname } from 'node:os';

/**
 * A lease written as a value, for stores without etcd's leases (the embedded file store, which
 * lives on one host). The store's compare-and-set decides who writes; the expiry, renewed by the
 * holder, decides when a silent holder stops counting.
 */
export interface CasRecord {
  holder: string;
  /** ISO time the holder took it */
  since: string;
  /** epoch ms; 0 once released */
  expiresAt: number;
  /** where the holder runs, so a holder on this host can be checked by pid */
  host: string;
  /**
   * the holder's pid namespace: a container run with --network host shares the host's name but
   * not its pids, and must not judge a live holder dead because its pid is invisible there
   */
  pidns?: string;
  pid: number;
  /** tells two holders with the same name (or pid) apart */
  token: string;
}

/** e.g. `pid:[4026531836]`; '' where /proc does not say (then only the host name is compared) */
const PID_NAMESPACE = readPidNamespace();

function readPidNamespace(): string {
  try {
    return readlinkSync('/proc/self/ns/pid');
  } catch {
    return '';
  }
}

export function newRecord(holder: string, ttlMs: number, now = Date.now()): CasRecord {
  return {
    holder,
    since: new Date(now).toISOString(),
    expiresAt: now + ttlMs,
    host: hostname(),
    pidns: PID_NAMESPACE,
    pid: process.pid,
    token: randomUUID(),
  };
}

/** undefined for anything that is not a record: such a value does not hold anything. */
export function parseRecord(value: string | undefined): CasRecord | undefined {
  if (value === undefined) return undefined;
  try {
    const r = JSON.parse(value) as Partial<CasRecord>;
    const valid =
      typeof r.holder === 'string' &&
      typeof r.since === 'string' &&
      typeof r.expiresAt === 'number' &&
      typeof r.host === 'string' &&
      typeof r.pid === 'number' &&
      (r.pidns === undefined || typeof r.pidns === 'string') &&
      typeof r.token === 'string';
    return valid ? (r as CasRecord) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Free when absent, unreadable, released or expired — or when its holder ran on this host (same
 * name and pid namespace) and that process is gone, which frees a SIGKILLed holder at once
 * instead of after its expiry.
 */
export function isFree(record: CasRecord | undefined, now = Date.now()): boolean {
  if (!record || record.expiresAt <= now) return true;
  const sameProcessSpace = record.host === hostname() && record.pidns !== undefined && record.pidns === PID_NAMESPACE;
  return sameProcessSpace && !processAlive(record.pid);
}

/** Signal 0 checks existence only; EPERM means it exists under another user. */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
