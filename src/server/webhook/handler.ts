import type { IncomingMessage } from 'node:http';
import { scrubUrl } from '../../source/redact.ts';
import { readBody } from '../body.ts';
import { deliveryId, deliveryKey, type DeliveryLog } from './dedupe.ts';
import { classify, pushConcerns } from './events.ts';
import { sourceOf, type TokenBuckets } from './rate-limit.ts';
import { repoClaim, repoMatches } from './repository.ts';
import { verifySignature, type Provider } from './verify.ts';

export interface WebhookDeps {
  secret: string | undefined;
  /** the endpoints that answer; a signature is checked only by the endpoint it was made for */
  providers: ReadonlySet<Provider>;
  maxBodyBytes: number;
  bodyTimeoutMs: number;
  /** the --repo bosun follows: a payload naming another repository is ignored */
  repo: string;
  /** the --ref bosun follows */
  ref: string | undefined;
  deliveries: DeliveryLog;
  /** per remote address */
  rate: TokenBuckets;
  /** webhook bodies being read now, against `maxBodiesInFlight` */
  bodies: { inFlight: number; max: number };
  now: () => number;
  /** false while shutting down */
  accepting: () => boolean;
  /** queues a reconcile; returns what the queue did with it */
  onPush: (info: { provider: Provider; delivery?: string; after?: string }) => string;
}

/** The answer to one delivery; `status` is the metric label and the log's word for it. */
export interface WebhookReply {
  code: number;
  status:
    | 'accepted'
    | 'ping'
    | 'ignored'
    | 'duplicate'
    | 'unauthorized'
    | 'malformed'
    | 'too_large'
    | 'timeout'
    | 'rate_limited'
    | 'busy'
    | 'not_enabled'
    | 'disabled'
    | 'unavailable';
  body: Record<string, unknown>;
  event?: string;
  delivery?: string;
  /** the request body was not read to its end: the connection must not be reused */
  closeConnection?: boolean;
  /** seconds, for a Retry-After header */
  retryAfter?: number;
}

const DISABLED =
  'webhooks are disabled: no secret is configured (set BOSUN_WEBHOOK_SECRET or --webhook-secret-file); unsigned pushes are never accepted';

/**
 * One delivery, checked in the order that costs an attacker the most: no secret or shutting
 * down (503), endpoint not enabled (404), rate (429), bodies in flight (503), size and time
 * (413, 408), signature (401), JSON (400); then replays (200, not processed twice), pings (200),
 * other events, another repository and other branches (202, ignored), and a queued push (202).
 */
export async function handleWebhook(
  provider: Provider,
  req: IncomingMessage,
  deps: WebhookDeps,
): Promise<WebhookReply> {
  const refused = admit(provider, req, deps);
  if (refused) return refused;
  deps.bodies.inFlight++;
  const read = await readBody(req, deps.maxBodyBytes, deps.bodyTimeoutMs).finally(() => deps.bodies.inFlight--);
  if (!read.ok) {
    if (read.reason === 'timeout')
      return { code: 408, status: 'timeout', body: { error: 'body not received in time' }, closeConnection: true };
    const body = {
      error: read.reason === 'too-large' ? `body larger than ${deps.maxBodyBytes} bytes` : 'request aborted',
    };
    return { code: 413, status: 'too_large', body, closeConnection: true };
  }
  const verdict = verifySignature(provider, req.headers, read.body, deps.secret!);
  if (!verdict.ok)
    return {
      code: 401,
      status: 'unauthorized',
      body: { error: verdict.reason === 'missing' ? 'missing signature' : 'signature mismatch' },
    };
  let payload: unknown;
  try {
    payload = JSON.parse(read.body.toString('utf8'));
  } catch {
    return { code: 400, status: 'malformed', body: { error: 'body is not valid JSON' } };
  }
  return dispatch(provider, req, read.body, payload, deps);
}

/** The checks that cost nothing to make: they come before a byte of the body is read. */
function admit(provider: Provider, req: IncomingMessage, deps: WebhookDeps): WebhookReply | undefined {
  const close = { closeConnection: true };
  if (!deps.accepting()) return { code: 503, status: 'unavailable', body: { error: 'shutting down' }, ...close };
  if (deps.secret === undefined) return { code: 503, status: 'disabled', body: { error: DISABLED }, ...close };
  if (!deps.providers.has(provider)) {
    const error = `webhook provider ${provider} is not enabled (--webhook-providers ${[...deps.providers].join(',')})`;
    return { code: 404, status: 'not_enabled', body: { error }, ...close };
  }
  const rate = deps.rate.take(sourceOf(req.socket.remoteAddress), deps.now());
  if (!rate.ok) {
    const retryAfter = Math.max(1, Math.ceil(rate.retryAfterMs / 1000));
    return { code: 429, status: 'rate_limited', body: { error: 'too many requests' }, retryAfter, ...close };
  }
  if (deps.bodies.inFlight >= deps.bodies.max)
    return { code: 503, status: 'busy', body: { error: 'too many deliveries in progress' }, retryAfter: 1, ...close };
  return undefined;
}

function dispatch(
  provider: Provider,
  req: IncomingMessage,
  raw: Buffer,
  payload: unknown,
  deps: WebhookDeps,
): WebhookReply {
  const delivery = deliveryId(req.headers);
  const event = classify(provider, req.headers, payload);
  const base = { event: event.event, delivery };
  if (deps.deliveries.seen(deliveryKey(raw), deps.now()))
    return { ...base, code: 200, status: 'duplicate', body: { status: 'duplicate', delivery } };
  const ignored = (reason: string): WebhookReply => ({
    ...base,
    code: 202,
    status: 'ignored',
    body: { status: 'ignored', reason },
  });
  if (event.kind === 'ping') return { ...base, code: 200, status: 'ping', body: { status: 'pong' } };
  if (event.kind === 'other') return ignored(`event ${event.event}`);
  const claim = repoClaim(provider, payload);
  const unnamed = claim.urls.length === 0 && claim.names.length === 0;
  // the generic endpoint's own format may leave the repository out; every forge names it
  if (unnamed && provider !== 'generic') return ignored('the payload names no repository');
  if (!unnamed && !repoMatches(deps.repo, claim))
    return ignored(`repository ${claim.names[0] ?? claim.urls[0]}; following ${scrubUrl(deps.repo)}`);
  if (!pushConcerns(event.refs, deps.ref)) return ignored(`push to ${event.refs.join(', ')}; following ${deps.ref}`);
  const queued = deps.onPush({ provider, delivery, after: event.after });
  return { ...base, code: 202, status: 'accepted', body: { status: 'accepted', queued } };
}
