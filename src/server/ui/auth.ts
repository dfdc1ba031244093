import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { BosunError, Codes } from '../../errors.ts';

export const COOKIE = 'bosun_ui';
/** A login lasts a working day; serve restarting ends every login (sessions live in memory). */
export const SESSION_MS = 12 * 3600_000;
const MAX_SESSIONS = 1000;

/**
 * The dashboard's actions token from `--ui-token-file` (trailing newline dropped) or
 * BOSUN_UI_TOKEN_FILE. None: the dashboard is read-only. A short token is refused at start-up.
 */
export async function loadUiToken(file = process.env.BOSUN_UI_TOKEN_FILE): Promise<string | undefined> {
  if (file === undefined || file === '') return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message;
    throw new BosunError(Codes.config, `cannot read --ui-token-file ${file}: ${code}`);
  }
  const token = text.replace(/\r?\n$/, '');
  if (token.length < 16)
    throw new BosunError(
      Codes.config,
      `--ui-token-file ${file} holds ${token.length} characters: use at least 16 (e.g. openssl rand -hex 32)`,
    );
  return token;
}

/** Equal strings, in time that does not depend on where they differ (nor on their lengths). */
export function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export type Who = { via: 'bearer' } | { via: 'cookie'; session: string } | undefined;

/**
 * Who may act: a bearer token (scripts; a browser never adds it by itself, so no CSRF token is
 * needed) or a login session cookie (HttpOnly, SameSite=Strict; its POSTs carry a CSRF token).
 */
export class UiAuth {
  private readonly sessions = new Map<string, number>();
  /** the CSRF token of a session is an HMAC of its id: nothing more to store */
  private readonly csrfKey = randomBytes(32);

  constructor(
    private readonly token: string,
    private readonly now: () => number = Date.now,
  ) {}

  who(req: IncomingMessage): Who {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) return sameSecret(bearer, this.token) ? { via: 'bearer' } : undefined;
    const id = cookieValue(req.headers.cookie, COOKIE);
    if (id === undefined) return undefined;
    const expires = this.sessions.get(id);
    if (expires === undefined || expires < this.now()) {
      this.sessions.delete(id);
      return undefined;
    }
    return { via: 'cookie', session: id };
  }

  /** A new session for a correct token; undefined for a wrong one. */
  login(given: string): { session: string; cookie: string } | undefined {
    if (!sameSecret(given, this.token)) return undefined;
    this.prune();
    const session = randomBytes(32).toString('base64url');
    this.sessions.set(session, this.now() + SESSION_MS);
    const cookie = `${COOKIE}=${session}; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`;
    return { session, cookie };
  }

  logout(session: string): string {
    this.sessions.delete(session);
    return `${COOKIE}=; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=0`;
  }

  csrfFor(session: string): string {
    return createHmac('sha256', this.csrfKey).update(session).digest('base64url');
  }

  /** A cookie-authenticated POST must carry its session's CSRF token (a form field or header). */
  csrfValid(who: Who, given: string | undefined): boolean {
    if (who?.via === 'bearer') return true;
    if (who === undefined || given === undefined) return false;
    return sameSecret(given, this.csrfFor(who.session));
  }

  private prune(): void {
    const now = this.now();
    for (const [id, expires] of this.sessions) if (expires < now) this.sessions.delete(id);
    // the oldest logins go first when someone logs in over and over
    while (this.sessions.size >= MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
  }
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

/**
 * A browser names the page a POST comes from: it must be this server. A request without Origin
 * (curl, an old browser) passes here; the CSRF token and SameSite=Strict still guard it.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}
