import type { IncomingMessage } from 'node:http';
import { readBody } from '../body.ts';

/** A form is a token, a CSRF token and a release number: a few hundred bytes at most. */
const FORM_LIMIT = 8 * 1024;
const FORM_DEADLINE_MS = 5_000;

/** The urlencoded body of a POST (an empty one for a bare bearer-token request); undefined when refused. */
export async function readForm(req: IncomingMessage): Promise<URLSearchParams | undefined> {
  const r = await readBody(req, FORM_LIMIT, FORM_DEADLINE_MS);
  if (!r.ok) return undefined;
  return new URLSearchParams(r.body.toString('utf8'));
}

/** Login attempts per address in a window: the token cannot be guessed at network speed. */
export class AttemptLimiter {
  private readonly seen = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly max: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  allow(who: string): boolean {
    const now = this.now();
    if (this.seen.size > 10_000) for (const [k, v] of this.seen) if (now - v.since > this.windowMs) this.seen.delete(k);
    const entry = this.seen.get(who);
    if (!entry || now - entry.since > this.windowMs) {
      this.seen.set(who, { count: 1, since: now });
      return true;
    }
    entry.count++;
    return entry.count <= this.max;
  }
}
