/**
 * Stable hashing of the normalized model. `bosun.spec-hash` on a container is compared with
 * serviceSpecHash() to decide whether the container must be replaced, so the text hashed
 * must not depend on key order or on how the YAML was written.
 */
import { createHash } from 'node:crypto';
import type { ConfigSpec, ServiceSpec } from './desired.ts';
import type { SpecRecord } from './observed.ts';
import { keyedDigest } from './digest.ts';
import { type ResolvedFile, resolveEnv, resolveFiles } from './env.ts';
import { compareStrings } from './sort.ts';

/** JSON with object keys sorted (by code unit) at every level; undefined members are left out. */
export function canonicalJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`;
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort(compareStrings);
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(',')}}`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Fields that say how many containers run and how they are rolled or ordered, not what a
 * container is: changing them must not replace running containers (scaling adds or removes
 * replicas, DESIGN §3). docker compose leaves the same fields out of its config hash.
 */
export const HASH_EXCLUDED_FIELDS = ['replicas', 'update', 'dependsOn'] as const;

/**
 * Hash of what one replica's container is made of: the service (minus HASH_EXCLUDED_FIELDS)
 * and its resolved environment, so a Config value read through envFrom changes it while
 * Configs the service does not read do not.
 */
export function serviceSpecHash(service: ServiceSpec, configs: ConfigSpec[]): string {
  const { service: full, ...rest } = specRecord(service, configs);
  const container: Record<string, unknown> = { ...full };
  for (const field of HASH_EXCLUDED_FIELDS) delete container[field];
  const text = canonicalJson({ service: container, ...rest });
  // a hash over a secret value would let anyone who reads the label try guesses against it
  return readsSecrets(service, configs) ? keyedDigest(text) : sha256(text);
}

/** The service takes a value from a secret Config (as a variable or a file). */
export function readsSecrets(service: ServiceSpec, configs: ConfigSpec[]): boolean {
  const secret = new Set(configs.filter((c) => c.secret).map((c) => c.name));
  return service.envFrom.some((f) => secret.has(f.config)) || (service.files ?? []).some((f) => secret.has(f.config));
}

/**
 * What a container is made of, as recorded in its `bosun.spec` label: the spec, the resolved
 * environment and a digest of each Config file (digests, so secret file contents stay out).
 */
export function specRecord(service: ServiceSpec, configs: ConfigSpec[]): SpecRecord {
  const record: SpecRecord = { service: withoutCopyContent(service), env: resolveEnv(service, configs) };
  const files = resolveFiles(service, configs);
  if (files.length > 0) {
    const secret = secretFilePaths(service, configs);
    const digest = (f: ResolvedFile) => (secret.has(f.path) ? keyedDigest : sha256)(`${f.mode}:${f.content}`);
    record.files = Object.fromEntries(files.map((f) => [f.path, digest(f)]));
  }
  return record;
}

/**
 * Files copied from the repo are recorded by digest only: the bytes would bloat the container's
 * label and its field diffs, and the digest changes whenever they do.
 */
function withoutCopyContent(service: ServiceSpec): ServiceSpec {
  if (!service.copies) return service;
  const copies = service.copies.map(({ content, ...rest }) => rest);
  return { ...service, copies } as ServiceSpec;
}

/** Paths of the files whose contents come from secret Configs: their digests are keyed. */
function secretFilePaths(service: ServiceSpec, configs: ConfigSpec[]): Set<string> {
  const secret = configs.filter((c) => c.secret);
  const refs = (service.files ?? []).filter((f) => secret.some((c) => c.name === f.config));
  return new Set(resolveFiles({ ...service, files: refs }, secret).map((f) => f.path));
}
