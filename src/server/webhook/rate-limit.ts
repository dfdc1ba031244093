/**
 * Per-source token buckets: each source (a remote address) may send `burst` requests at once and
 * then one every `1000 / perSecond` ms. Pure: the caller passes the time, so tests need no clock.
 * At most `maxSources` buckets are kept; the least recently seen is dropped first, which only
 * ever forgives a source, so memory stays bounded however many addresses an attacker has.
 */
export interface RateLimit {
  burst: number;
  perSecond: number;
}

export type Admission = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  at: number;
}

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly maxSources = 10_000,
  ) {}

  /** Takes one token for `source` at time `now` (ms), or says how long until one is there. */
  take(source: string, now: number): Admission {
    const b = this.refilled(source, now);
    this.buckets.delete(source);
    this.buckets.set(source, b);
    if (this.buckets.size > this.maxSources) this.buckets.delete(this.buckets.keys().next().value as string);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterMs: Math.ceil(((1 - b.tokens) * 1000) / this.limit.perSecond) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(source: string, now: number): Bucket {
    const b = this.buckets.get(source);
    if (!b) return { tokens: this.limit.burst, at: now };
    // a clock that goes backwards adds nothing rather than a negative amount
    const elapsed = Math.max(0, now - b.at);
    return { tokens: Math.min(this.limit.burst, b.tokens + (elapsed * this.limit.perSecond) / 1000), at: now };
  }
}

/**
 * One key per client: an IPv4 address (also when seen through an IPv6 socket), or the /64 of an
 * IPv6 one, since whoever holds one IPv6 address usually holds its whole /64.
 */
export function sourceOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return 'unknown';
  if (remoteAddress.startsWith('::ffff:') && remoteAddress.includes('.')) return remoteAddress.slice('::ffff:'.length);
  if (!remoteAddress.includes(':')) return remoteAddress;
  const groups = expandV6(remoteAddress.split('%')[0]!);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : remoteAddress;
}

/** The eight 16-bit groups of an IPv6 address, `::` filled in; undefined when it is not one. */
function expandV6(address: string): string[] | undefined {
  const [head, tail, ...more] = address.split('::');
  if (more.length > 0) return undefined;
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? 0 : 8 - left.length - right.length;
  const groups = [...left, ...Array(zeros).fill('0'), ...right];
  if (groups.length !== 8 || !groups.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return groups.map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
}
