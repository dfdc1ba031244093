/**
 * The one place that decides what a secret looks like outside the container that reads it.
 *
 * The convention every model type follows: an object that carries a secret value says so with
 * `secret: true` beside it — a secret Config (`data`), a key operation (`value`, `previous`), a
 * field change (`from`, `to`), a Config file (`content`). Masking is one walk over any value
 * (a desired state, a plan, a release), so a new renderer or record cannot forget a field: it
 * masks the whole thing before it prints or stores it.
 */
import { keyedDigest } from './digest.ts';

/** How a secret reads in plans, progress lines, releases, status and every `-o json`. */
export const SECRET = '(secret)';

/** What stands in for one secret value. */
export type Cover = (value: unknown) => unknown;

/** For people and files: no trace of the value. */
export const hidden: Cover = () => SECRET;

/**
 * For hashes that must still change when a secret changes (a plan's hash): a digest in its
 * place, made by the same helper as the Config file digests in `bosun.spec`: keyed with the
 * state key's digest subkey, so nobody without the key can test guesses against it.
 */
export const digested: Cover = (value) => (value === undefined ? undefined : `(secret ${keyedDigest(String(value))})`);

/** The fields of a `secret: true` object that hold secret values. */
const SECRET_FIELDS = ['value', 'previous', 'from', 'to', 'content'] as const;

/** A copy of `x` with every secret value replaced by `cover(value)`; `x` itself is never changed. */
export function maskSecrets<T>(x: T, cover: Cover = hidden): T {
  return walk(x, cover) as T;
}

function walk(x: unknown, cover: Cover): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map((v) => walk(v, cover));
  const record = x as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) out[k] = walk(v, cover);
  if (record.secret !== true) return out;
  for (const field of SECRET_FIELDS) if (field in record) out[field] = cover(record[field]);
  if (isStringMap(record.data))
    out.data = Object.fromEntries(Object.entries(record.data).map(([k, v]) => [k, cover(v)]));
  return out;
}

function isStringMap(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/**
 * Every secret value held anywhere in `x` (a desired state): the values of objects marked
 * `secret: true` (the convention above), and the strings inside those that are JSON.
 */
export function secretValues(x: unknown, out = new Set<string>()): Set<string> {
  if (x === null || typeof x !== 'object') return out;
  if (Array.isArray(x)) {
    for (const v of x) secretValues(v, out);
    return out;
  }
  const record = x as Record<string, unknown>;
  if (record.secret === true) {
    const data = record.data && typeof record.data === 'object' ? Object.values(record.data) : [];
    const fields = SECRET_FIELDS.map((f) => record[f]);
    for (const v of [...data, ...fields]) addSecret(v, out);
  }
  for (const v of Object.values(record)) secretValues(v, out);
  return out;
}

function addSecret(v: unknown, out: Set<string>): void {
  if (typeof v !== 'string') return;
  out.add(v);
  // structured values are stored as JSON (a throw per plain value would cost more than the rest)
  if (!/^\s*[[{]/.test(v)) return;
  try {
    const parsed: unknown = JSON.parse(v);
    if (parsed && typeof parsed === 'object') for (const leaf of leaves(parsed)) out.add(leaf);
  } catch {
    // not JSON: the string is the secret
  }
}

function leaves(x: unknown): string[] {
  if (typeof x === 'string') return [x];
  if (typeof x === 'number') return [String(x)];
  if (x && typeof x === 'object') return Object.values(x).flatMap(leaves);
  return [];
}

/**
 * Free text about a stack (an error holding a healthcheck's output, which may print a secret
 * file) with every secret value of its desired state replaced.
 */
export function maskText(text: string, desired: unknown): string {
  return maskValues(text, secretValues(desired));
}

/** The text with every secret value (3 characters or more: shorter ones would shred it) replaced. */
export function maskValues(text: string, secrets: Iterable<string>): string {
  // longest first: a secret that contains another is covered whole
  const sorted = [...secrets].filter((s) => s.length >= 3).sort((a, b) => b.length - a.length);
  let out = text;
  for (const s of sorted) out = out.split(s).join(SECRET);
  return out;
}
