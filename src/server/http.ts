import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BosunError, Codes } from '../errors.ts';
import { applyLimits, CONNECTION_CHECK_MS, DEFAULT_LIMITS, type HttpLimits, type RefusedBy } from './limits.ts';
import type { ListenAddress } from './options.ts';
import { handleWebhook, type WebhookDeps, type WebhookReply } from './webhook/handler.ts';
import { isProvider, type Provider } from './webhook/verify.ts';

export interface Routes {
  webhook: WebhookDeps;
  /** counts and logs every delivery's outcome */
  onWebhook: (provider: Provider, reply: WebhookReply) => void;
  ready: () => Promise<{ ok: boolean; checks: Record<string, string> }>;
  metrics: () => Promise<{ contentType: string; body: string }>;
  status: () => Promise<unknown>;
  onError: (err: unknown) => void;
  /** the web dashboard (server/ui/): answers its own paths, GET and POST */
  ui?: {
    owns: (path: string) => boolean;
    handle: (req: IncomingMessage, res: ServerResponse, path: string) => Promise<void>;
  };
  /** a connection closed on arrival by a connection cap */
  onRefused?: (by: RefusedBy) => void;
}

/** Routing only: every answer comes from the functions in `routes`; `limits` bound what a client may hold. */
export function createHttpServer(routes: Routes, limits: HttpLimits = DEFAULT_LIMITS): http.Server {
  const server = http.createServer({ connectionsCheckingInterval: CONNECTION_CHECK_MS }, (req, res) => {
    route(req, res, routes).catch((err) => {
      routes.onError(err);
      if (!res.headersSent) send(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  applyLimits(server, limits, routes.onRefused);
  return server;
}

async function route(req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const hook = /^\/hooks\/([a-z]+)\/?$/.exec(path);
  if (hook) return webhook(hook[1]!, req, res, routes);
  if (routes.ui?.owns(path)) return routes.ui.handle(req, res, path);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return send(res, 405, { error: `${req.method} not allowed on ${path}` });
  switch (path) {
    case '/healthz':
      return send(res, 200, { status: 'ok' });
    case '/readyz': {
      const r = await routes.ready();
      return send(res, r.ok ? 200 : 503, { ready: r.ok, ...r.checks });
    }
    case '/metrics': {
      const m = await routes.metrics();
      res.writeHead(200, { 'content-type': m.contentType });
      return void res.end(m.body);
    }
    case '/status':
      return send(res, 200, await routes.status());
    default:
      return send(res, 404, { error: `no route ${path}` });
  }
}

async function webhook(name: string, req: IncomingMessage, res: ServerResponse, routes: Routes): Promise<void> {
  if (!isProvider(name))
    return send(res, 404, { error: `unknown webhook provider "${name}" (github, gitlab, gitea, bitbucket, generic)` });
  if (req.method !== 'POST') return send(res, 405, { error: 'webhooks are POST' });
  const reply = await handleWebhook(name, req, routes.webhook);
  routes.onWebhook(name, reply);
  if (reply.retryAfter !== undefined) res.setHeader('retry-after', String(reply.retryAfter));
  // an unread body must not be drained (that is reading past the limit or the deadline): the
  // socket is closed once the answer is out, whatever the client is still sending
  if (reply.closeConnection) {
    res.setHeader('connection', 'close');
    res.once('finish', () => req.socket.destroySoon());
  }
  send(res, reply.code, reply.body);
}

function send(res: ServerResponse, code: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export async function listen(server: http.Server, at: ListenAddress): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    const where = at.host.includes(':') ? `[${at.host}]:${at.port}` : `${at.host}:${at.port}`;
    const onError = (err: NodeJS.ErrnoException) =>
      reject(new BosunError(Codes.config, `cannot listen on ${where}: ${err.code ?? err.message}`, { cause: err }));
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const a = server.address() as AddressInfo;
  const host = a.family === 'IPv6' ? `[${a.address}]` : a.address;
  return `http://${host}:${a.port}`;
}

/** Lets requests in flight finish, then drops idle keep-alive connections. */
export async function closeServer(server: http.Server, graceMs = 5_000): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  await closed;
  clearTimeout(timer);
}
