/**
 * How each kind of target wants an event: the request to send, built afresh for every attempt
 * (a webhook's signed body carries the time it was sent). Pure: no I/O, the clock is given.
 */
import { createHmac } from 'node:crypto';
import type { TargetConfig } from './config.ts';
import type { NotifyEvent } from './events.ts';

export interface OutgoingRequest {
  /** may hold a token: never logged */
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
}

/** Something events are delivered to: a configured target, or the forge's commit statuses. */
export interface Target {
  /** in logs and metrics */
  readonly name: string;
  accepts(ev: NotifyEvent): boolean;
  request(ev: NotifyEvent, sentAt: Date): OutgoingRequest | undefined;
  /** what must never appear in a log line about this target (its URL, its token) */
  readonly secrets: readonly string[];
}

export const SIGNATURE_HEADER = 'x-bosun-signature-256';
const USER_AGENT = 'bosun-notify/1';

/** GitHub's scheme: `sha256=` + hex HMAC-SHA256 of the raw body, keyed with the shared secret. */
export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function configuredTarget(c: TargetConfig): Target {
  const build = c.type === 'webhook' ? webhookRequest : c.type === 'slack' ? slackRequest : discordRequest;
  return {
    name: c.name,
    accepts: (ev) => c.events.has(ev.event) && (!c.projects || c.projects.has(ev.project)),
    request: (ev, sentAt) => build(c, ev, sentAt),
    secrets: [c.url, ...urlParts(c.url), ...(c.secret ? [c.secret] : [])],
  };
}

/**
 * The event as JSON, with `sentAt`; signed when a secret is set. The delivery id and the time are
 * inside the signed body (and repeated in headers), so a receiver can refuse replays: a body
 * older than a few minutes, or an id it has seen.
 */
export function webhookRequest(c: TargetConfig, ev: NotifyEvent, sentAt: Date): OutgoingRequest {
  const body = JSON.stringify({ ...ev, sentAt: sentAt.toISOString() });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    'x-bosun-event': ev.event,
    'x-bosun-delivery': ev.id,
    'x-bosun-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
  };
  if (c.secret) headers[SIGNATURE_HEADER] = signBody(body, c.secret);
  return { url: c.url, method: 'POST', headers, body };
}

const json = { 'content-type': 'application/json', 'user-agent': USER_AGENT };

/** Slack's incoming-webhook shape (also Mattermost's and Rocket.Chat's): text, with blocks. */
export function slackRequest(c: TargetConfig, ev: NotifyEvent): OutgoingRequest {
  const text = `${icon(ev)} ${ev.summary}`;
  const facts = contextLine(ev);
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: ev.url ? `${text}\n<${ev.url}|dashboard>` : text } },
  ];
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: facts }] });
  return { url: c.url, method: 'POST', headers: json, body: JSON.stringify({ text, blocks }) };
}

const COLOURS: Record<string, number> = { good: 0x2e7d32, bad: 0xc62828, info: 0x1565c0 };

/** Discord's incoming-webhook shape: content, with one embed. */
export function discordRequest(c: TargetConfig, ev: NotifyEvent): OutgoingRequest {
  const fields = [
    ['project', ev.project],
    ['release', ev.release?.toString()],
    ['revision', ev.revision?.slice(0, 12)],
    ['result', ev.result],
    ['controller', ev.controller.host],
  ]
    .filter((f): f is [string, string] => f[1] !== undefined)
    .map(([name, value]) => ({ name, value, inline: true }));
  const embed = {
    title: ev.event,
    description: ev.error ? truncate(`${ev.error.code}: ${ev.error.message}`, 4000) : ev.summary,
    color: COLOURS[tone(ev)],
    fields,
    timestamp: ev.at,
    ...(ev.url && { url: ev.url }),
  };
  const content = truncate(`${icon(ev)} ${ev.summary}`, 2000);
  return { url: c.url, method: 'POST', headers: json, body: JSON.stringify({ content, embeds: [embed] }) };
}

function tone(ev: NotifyEvent): 'good' | 'bad' | 'info' {
  if (ev.event === 'release.failed' || ev.event === 'release.rolled-back') return 'bad';
  if (ev.event === 'release.succeeded' || ev.event === 'drift.repaired' || ev.event === 'stack.resumed') return 'good';
  return 'info';
}

function icon(ev: NotifyEvent): string {
  return { good: '✅', bad: '❌', info: 'ℹ️' }[tone(ev)];
}

function contextLine(ev: NotifyEvent): string {
  const parts = [`*${ev.event}*`, ev.project];
  if (ev.release) parts.push(`release ${ev.release}`);
  if (ev.revision) parts.push(`\`${ev.revision.slice(0, 12)}\``);
  parts.push(ev.controller.host);
  return parts.join(' · ');
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The pieces of a URL a library might echo on their own: its path (Slack and Discord keep tokens there), query, userinfo. */
export function urlParts(url: string): string[] {
  try {
    const u = new URL(url);
    return [u.pathname, u.search, u.username, u.password].filter((p) => p.length > 3);
  } catch {
    return [];
  }
}
