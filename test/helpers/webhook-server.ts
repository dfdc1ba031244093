/** The real router and webhook handler on a real socket for unit tests; only the queue is a counter. */
import { strict as assert } from 'node:assert';
import { closeServer, createHttpServer, listen } from '../../src/server/http.ts';
import { DEFAULT_LIMITS, type HttpLimits } from '../../src/server/limits.ts';
import { DeliveryLog } from '../../src/server/webhook/dedupe.ts';
import type { WebhookDeps, WebhookReply } from '../../src/server/webhook/handler.ts';
import { TokenBuckets } from '../../src/server/webhook/rate-limit.ts';
import { hmacHex, PROVIDERS } from '../../src/server/webhook/verify.ts';

export const SECRET = 'unit-secret';
export const LIMIT = 4096;
export const REPO = 'https://git.example/acme/shop.git';

/** Where every forge's payload names its repository, all pointing at REPO. */
export const REPO_FIELDS = {
  repository: { full_name: 'acme/shop', clone_url: REPO },
  project: { path_with_namespace: 'acme/shop', git_http_url: REPO },
};

export const mainPush = JSON.stringify({ ref: 'refs/heads/main', before: 'a', after: 'b', ...REPO_FIELDS });
export const sha = (body: string) => `sha256=${hmacHex(body, SECRET)}`;

export async function serve(
  opts: { secret?: string; accepting?: boolean; deps?: Partial<WebhookDeps>; limits?: Partial<HttpLimits> } = {},
) {
  const pushes: string[] = [];
  const replies: string[] = [];
  const refused: string[] = [];
  const server = createHttpServer(
    {
      webhook: {
        secret: 'secret' in opts ? opts.secret : SECRET,
        providers: new Set(PROVIDERS),
        maxBodyBytes: LIMIT,
        bodyTimeoutMs: 10_000,
        repo: REPO,
        ref: 'main',
        deliveries: new DeliveryLog(),
        rate: new TokenBuckets({ burst: 1000, perSecond: 1000 }),
        bodies: { inFlight: 0, max: 32 },
        now: () => Date.now(),
        accepting: () => opts.accepting ?? true,
        onPush: ({ provider }) => (pushes.push(provider), 'started'),
        ...opts.deps,
      },
      onWebhook: (_p, r: WebhookReply) => void replies.push(r.status),
      ready: async () => ({ ok: false, checks: { docker: 'ok', store: 'unreachable: nope' } }),
      metrics: async () => ({ contentType: 'text/plain', body: 'm 1\n' }),
      status: async () => ({ ok: true }),
      onError: (err) => assert.fail(String(err)),
      onRefused: (by) => void refused.push(by),
    },
    { ...DEFAULT_LIMITS, ...opts.limits },
  );
  const url = await listen(server, { host: '127.0.0.1', port: 0 });
  return { url, server, pushes, replies, refused, close: () => closeServer(server, 500) };
}

export type Srv = Awaited<ReturnType<typeof serve>>;

export async function hook(s: Srv, provider: string, body: string, headers: Record<string, string>) {
  const res = await fetch(`${s.url}/hooks/${provider}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...headers },
  });
  return {
    code: res.status,
    retryAfter: res.headers.get('retry-after'),
    body: (await res.json()) as Record<string, unknown>,
  };
}
