import type { IncomingMessage } from 'node:http';
import { readBody } from '../body.ts';
import { deliveryId, type DeliveryLog } from './dedupe.ts';
import { classify, pushConcerns } from './events.ts';
import { verifySignature, type Provider } from './verify.ts';

export interface WebhookDeps {
  secret: string | undefined;
  maxBodyBytes: number;
  /** the --ref bosun follows */
  ref: string | undefined;
  deliveries: DeliveryLog;
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
    | 'disabled'
    | 'unavailable';
  body: Record<string, unknown>;
  event?: string;
  delivery?: string;
  /** the request body was not read to its end: the connection must not be reused */
  closeConnection?: boolean;
}

const DISABLED =
  'webhooks are disabled: no secret is configured (set BOSUN_WEBHOOK_SECRET or --webhook-secret-file); unsigned pushes are never accepted';

/**
 * One delivery, checked in the order that costs an attacker the most: no secret or shutting
 * down (503), size (413), signature (401), JSON (400); then ping (200), other events and other
 * branches (202, ignored), redeliveries (200, not processed twice), and finally a queued push (202).
 */
export async function handleWebhook(
  provider: Provider,
  req: IncomingMessage,
  deps: WebhookDeps,
): Promise<WebhookReply> {
  if (!deps.accepting())
    return { code: 503, status: 'unavailable', body: { error: 'shutting down' }, closeConnection: true };
  if (deps.secret === undefined)
    return { code: 503, status: 'disabled', body: { error: DISABLED }, closeConnection: true };
  const read = await readBody(req, deps.maxBodyBytes);
  if (!read.ok) {
    const body = {
      error: read.reason === 'too-large' ? `body larger than ${deps.maxBodyBytes} bytes` : 'request aborted',
    };
    return { code: 413, status: 'too_large', body, closeConnection: true };
  }
  const verdict = verifySignature(provider, req.headers, read.body, deps.secret);
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
  return dispatch(provider, req, payload, deps);
}

function dispatch(provider: Provider, req: IncomingMessage, payload: unknown, deps: WebhookDeps): WebhookReply {
  const delivery = deliveryId(req.headers);
  const event = classify(provider, req.headers, payload);
  const base = { event: event.event, delivery };
  if (delivery !== undefined && deps.deliveries.seen(`${provider}:${delivery}`)) {
    return { ...base, code: 200, status: 'duplicate', body: { status: 'duplicate', delivery } };
  }
  if (event.kind === 'ping') return { ...base, code: 200, status: 'ping', body: { status: 'pong' } };
  if (event.kind === 'other')
    return { ...base, code: 202, status: 'ignored', body: { status: 'ignored', reason: `event ${event.event}` } };
  if (!pushConcerns(event.refs, deps.ref)) {
    const reason = `push to ${event.refs.join(', ')}; following ${deps.ref}`;
    return { ...base, code: 202, status: 'ignored', body: { status: 'ignored', reason } };
  }
  const queued = deps.onPush({ provider, delivery, after: event.after });
  return { ...base, code: 202, status: 'accepted', body: { status: 'accepted', queued } };
}
