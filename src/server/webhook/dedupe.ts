import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { header } from './verify.ts';

/** Where each forge puts the id of a delivery: logged, never trusted (no signature covers it). */
export const DELIVERY_HEADERS = [
  'x-github-delivery',
  'x-gitea-delivery',
  'x-forgejo-delivery',
  'x-gitlab-event-uuid',
  'x-request-uuid',
  'x-delivery-id',
] as const;

export function deliveryId(headers: IncomingHttpHeaders): string | undefined {
  for (const name of DELIVERY_HEADERS) {
    const id = header(headers, name);
    if (id !== undefined) return id.slice(0, 200);
  }
  return undefined;
}

/**
 * The dedupe key of a delivery: the digest of the signed body (which holds the repository, the
 * ref and the pushed sha), never a header the signature does not cover, so a captured push
 * replayed under a new delivery id, or to another endpoint, is still the same delivery.
 */
export function deliveryKey(body: Buffer): string {
  return createHash('sha256').update(body).digest('hex');
}

/** An hour: longer than forges retry for, short enough that a generic caller may resend the same body later. */
export const DEDUPE_WINDOW_MS = 60 * 60 * 1000;

/**
 * The deliveries seen within the window, least recently seen dropped first, so a redelivered or
 * replayed event is not processed twice and memory stays bounded however many arrive.
 */
export class DeliveryLog {
  private readonly seenAt = new Map<string, number>();

  constructor(
    private readonly capacity = 1000,
    private readonly windowMs = DEDUPE_WINDOW_MS,
  ) {}

  /** Records `key` at `now` (ms); true when it had been seen within the window. */
  seen(key: string, now = Date.now()): boolean {
    const last = this.seenAt.get(key);
    this.seenAt.delete(key);
    this.seenAt.set(key, now);
    if (this.seenAt.size > this.capacity) this.seenAt.delete(this.seenAt.keys().next().value as string);
    return last !== undefined && now - last < this.windowMs;
  }

  get size(): number {
    return this.seenAt.size;
  }
}
