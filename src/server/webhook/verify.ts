import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucket', 'generic'] as const;
export type Provider = (typeof PROVIDERS)[number];

export function isProvider(name: string): name is Provider {
  return (PROVIDERS as readonly string[]).includes(name);
}

export type Verdict = { ok: true } | { ok: false; reason: 'missing' | 'mismatch' };

/** One header as a string; Node joins repeated headers with ", ", which then simply fails to verify. */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  const s = Array.isArray(v) ? v.join(', ') : v;
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Checks that `body` was sent by someone who knows `secret`, the way each forge signs:
 * GitHub, Bitbucket and the generic endpoint send `sha256=<hex HMAC>`, Gitea/Forgejo the bare hex
 * HMAC, GitLab the secret itself as a token. Pure: no I/O, no clock.
 */
export function verifySignature(
  provider: Provider,
  headers: IncomingHttpHeaders,
  body: Buffer,
  secret: string,
): Verdict {
  switch (provider) {
    case 'github':
      return prefixedHmac(header(headers, 'x-hub-signature-256'), body, secret);
    case 'bitbucket':
      return prefixedHmac(header(headers, 'x-hub-signature'), body, secret);
    case 'generic':
      return prefixedHmac(header(headers, 'x-signature'), body, secret);
    case 'gitea':
      return hexHmac(header(headers, 'x-gitea-signature') ?? header(headers, 'x-forgejo-signature'), body, secret);
    case 'gitlab':
      return token(header(headers, 'x-gitlab-token'), secret);
  }
}

export function hmacHex(body: Buffer | string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

function prefixedHmac(given: string | undefined, body: Buffer, secret: string): Verdict {
  if (given === undefined) return { ok: false, reason: 'missing' };
  if (!given.startsWith('sha256=')) return { ok: false, reason: 'mismatch' };
  return hexHmac(given.slice('sha256='.length), body, secret);
}

const SHA256_HEX = /^[0-9a-fA-F]{64}$/;

function hexHmac(given: string | undefined, body: Buffer, secret: string): Verdict {
  if (given === undefined) return { ok: false, reason: 'missing' };
  // a truncated or non-hex value can never match; checking the shape first keeps the buffers equal-length
  if (!SHA256_HEX.test(given)) return { ok: false, reason: 'mismatch' };
  const same = timingSafeEqual(Buffer.from(given, 'hex'), Buffer.from(hmacHex(body, secret), 'hex'));
  return same ? { ok: true } : { ok: false, reason: 'mismatch' };
}

/** Hashing both sides gives equal-length buffers, so not even the token's length leaks through timing. */
function token(given: string | undefined, secret: string): Verdict {
  if (given === undefined) return { ok: false, reason: 'missing' };
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(secret)) ? { ok: true } : { ok: false, reason: 'mismatch' };
}
