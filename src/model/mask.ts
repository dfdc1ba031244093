/**
 * The one place that decides what a secret looks like outside the container that reads it.
 *
 * The convention every model type follows: an object that carries a secret value says so with
 * `secret: true` beside it — a secret Config (`data`), a key operation (`value`, `previous`), a
 * field change (`from`, `to`), a Config file (`content`). Masking is one walk over any value
 * (a desired state, a plan, a release), so a new renderer or record cannot forget a field: it
 * masks the whole thing before it prints or stores it.
 */
import { sha256 } from './hash.ts';

/** How a secret reads in plans, progress lines, releases, status and every `-o json`. */
export const SECRET = '(secret)';

/** What stands in for one secret value. */
export type Cover = (value: unknown) => unknown;

/** For people and files: no trace of the value. */
export const hidden: Cover = () => SECRET;

/**
 * For hashes that must still change when a secret changes (a plan's hash): a digest in its
 * place, made by the same helper as the Config file digests in `bosun.spec`, so whatever
 * protects those (a keyed digest) protects these too.
 */
export const digested: Cover = (value) => (value === undefined ? undefined : `(secret ${sha256(String(value))})`);

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
