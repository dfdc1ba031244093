import { readFile } from 'node:fs/promises';
import { validateDetailed } from 'node-cron';
import { BosunError, Codes } from '../errors.ts';
import { isProvider, PROVIDERS, type Provider } from './webhook/verify.ts';

// in their own file so `bosun serve --help` does not load node-cron for them
export { DEFAULT_LISTEN, DEFAULT_POLL, DEFAULT_WEBHOOK_RATE } from './defaults.ts';

export interface ListenAddress {
  host: string;
  port: number;
}

/** `host:port`, `[v6]:port` or `:port` (all interfaces); port 0 lets the system pick one. */
export function parseListen(value: string): ListenAddress {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) {
    throw new BosunError(
      Codes.usage,
      `--listen "${value}" is not host:port (e.g. 127.0.0.1:8080, [::1]:8080 or :8080)`,
    );
  }
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port };
}

/** Refused at start-up, in one line, rather than a controller that silently never polls. */
export function checkCron(expression: string): string {
  const v = validateDetailed(expression);
  if (v.valid) return expression;
  const why = v.errors.map((e) => `${e.field}: ${e.message}`).join('; ') || 'invalid';
  throw new BosunError(Codes.config, `--poll "${expression}" is not a valid cron expression (${why})`);
}

/**
 * The webhook secret from a file (trailing newline dropped) or BOSUN_WEBHOOK_SECRET. None means
 * webhooks are disabled (503), never that unsigned pushes are accepted.
 */
export async function loadSecret(
  file: string | undefined,
  env = process.env.BOSUN_WEBHOOK_SECRET,
): Promise<string | undefined> {
  if (file !== undefined) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      throw new BosunError(Codes.config, `cannot read --webhook-secret-file ${file}: ${code}`);
    }
    const secret = text.replace(/\r?\n$/, '');
    if (secret === '') throw new BosunError(Codes.config, `--webhook-secret-file ${file} is empty`);
    return secret;
  }
  return env === undefined || env === '' ? undefined : env;
}

/**
 * `--webhook-providers github,gitea`: the endpoints that answer. Unset, every provider answers
 * (what serve did before the flag existed, and what the README's setup relies on); set, a
 * signature is only checked by the endpoints listed, so a GitHub signature replayed onto
 * /hooks/gitea or /hooks/generic (the same HMAC) is refused unless both are listed.
 */
export function parseProviders(value: string | undefined): ReadonlySet<Provider> {
  if (value === undefined) return new Set(PROVIDERS);
  const names = value
    .split(',')
    .map((n) => n.trim().toLowerCase())
    .filter((n) => n !== '');
  const unknown = names.filter((n) => !isProvider(n));
  if (names.length === 0 || unknown.length > 0)
    throw new BosunError(
      Codes.config,
      `--webhook-providers "${value}": ${unknown.length ? `unknown ${unknown.join(', ')}; ` : ''}list some of ${PROVIDERS.join(', ')}`,
    );
  return new Set(names as Provider[]);
}

// in its own module: verbs that read --stack-concurrency need it without node-cron
export { parseLimit } from './parse-limit.ts';
