import type { IncomingHttpHeaders } from 'node:http';
import { header } from './verify.ts';

/** Where each forge puts the id that stays the same when it redelivers an event. */
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
 * The delivery ids seen lately, least recently seen dropped first, so a redelivered event is not
 * processed twice and memory stays bounded however many arrive.
 */
export class DeliveryLog {
  private readonly ids = new Map<string, true>();

  constructor(private readonly capacity = 1000) {}

  /** Records `id`; true when it had been seen already. */
  seen(id: string): boolean {
    const known = this.ids.delete(id);
    this.ids.set(id, true);
    if (this.ids.size > this.capacity) this.ids.delete(this.ids.keys().next().value as string);
    return known;
  }

  get size(): number {
    return this.ids.size;
  }
}
