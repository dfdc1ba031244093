/**
 * Turning transport failures into one-line BosunErrors that are safe to print: the URL loses
 * its userinfo, the token is masked wherever a library might have echoed it, and network
 * trouble is told apart from mistakes the user must fix.
 */
import { BosunError, Codes } from '../errors.ts';

/** `https://user:secret@host/x.git` → `https://host/x.git`; anything unparsable is kept. */
export function scrubUrl(url: string): string {
  try {
    const u = new URL(url);
    if (!u.username && !u.password) return url;
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}

/** Masks every secret we know of: the token and the URL's password, wherever they appear. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 3) out = out.split(s).join('***');
  return out;
}

/** The secrets hidden in a URL: a token is often passed as the username alone. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.username, u.password, decodeURIComponent(u.username), decodeURIComponent(u.password)];
  } catch {
    return [];
  }
}

const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ECONNABORTED: 'connection aborted',
  ETIMEDOUT: 'connection timed out',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'temporary DNS failure',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  EPIPE: 'connection closed by the server',
  UND_ERR_SOCKET: 'connection closed by the server',
};

interface ErrorLike {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  data?: { statusCode?: unknown; statusMessage?: unknown };
}

/** Node 20 reports a failed dual-stack connect as an AggregateError: look inside it too. */
function systemCode(err: ErrorLike): string | undefined {
  if (typeof err.code === 'string' && err.code in NETWORK_CAUSES) return err.code;
  if (Array.isArray(err.errors)) {
    for (const inner of err.errors as ErrorLike[]) {
      if (typeof inner?.code === 'string' && inner.code in NETWORK_CAUSES) return inner.code;
    }
  }
  if (typeof err.message === 'string' && /socket hang up/i.test(err.message)) return 'ECONNRESET';
  return undefined;
}

/** What went wrong, in a few words, and whether trying again later can help. */
export function describeFetchFailure(e: unknown): { cause: string; retry: boolean } {
  const err = (typeof e === 'object' && e !== null ? e : { message: String(e) }) as ErrorLike;
  const sys = systemCode(err);
  if (sys) return { cause: NETWORK_CAUSES[sys]!, retry: true };
  if (err.code === 'HttpError') {
    const status = Number(err.data?.statusCode);
    const text = `HTTP ${status} ${String(err.data?.statusMessage ?? '')}`.trim();
    if (status === 401 || status === 403) return { cause: `${text} (check the token)`, retry: false };
    return { cause: text, retry: status >= 500 || status === 408 || status === 429 };
  }
  if (err.code === 'SmartHttpError') {
    return { cause: 'the server did not answer as a git smart-HTTP repository', retry: false };
  }
  if (err.code === 'UserCanceledError') return { cause: 'authentication failed (check the token)', retry: false };
  const message = typeof err.message === 'string' ? err.message.split('\n')[0]! : String(e);
  return { cause: message, retry: false };
}

export function fetchError(repo: string, e: unknown, secrets: readonly (string | undefined)[]): BosunError {
  const { cause, retry } = describeFetchFailure(e);
  const message = redact(`could not fetch ${scrubUrl(repo)}: ${cause}`, secrets);
  // The original error stays out: its stack or data could carry the request and its credentials.
  return new BosunError(retry ? Codes.gitUnreachable : Codes.gitFetch, message, {
    data: { repo: scrubUrl(repo) },
  });
}
