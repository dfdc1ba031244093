/**
 * Building blocks for the hostile-manifest corpus. Case files are produced lazily (a 10 MB
 * file or a 10k-level nest is only built when its case runs), and deterministically, so a
 * failing case can be rebuilt byte for byte from its id.
 */
import { stringify } from 'yaml';

export type Files = Record<string, string | Uint8Array>;

export interface HostileCase {
  /** `category/what`, unique: the test title and the key between worker and runner */
  id: string;
  files: () => Files;
}

/** The file every case puts its hostile content in. */
export const HOSTILE = 'hostile.yaml';
export const PROJECT_NAME = 'chaos';
export const PROJECT_DOC = `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${PROJECT_NAME}\n`;

/** A valid Project beside the hostile file, so every issue is about the hostile content. */
export function withProject(hostile: string | Uint8Array, extra: Files = {}): Files {
  return { 'bosun.yaml': PROJECT_DOC, [HOSTILE]: hostile, ...extra };
}

export function hostileCase(id: string, hostile: () => string | Uint8Array, extra: Files = {}): HostileCase {
  return { id, files: () => withProject(hostile(), extra) };
}

/** A minimal valid document of each kind, as data, for field-level corruption. */
export function baseDoc(kind: string): Record<string, unknown> {
  const doc: Record<string, unknown> = { apiVersion: 'bosun/v1', kind, metadata: { name: 'x1' } };
  if (kind === 'Service') doc.spec = { image: 'bosun-test/busybox:1' };
  if (kind === 'Config') doc.spec = { prefix: '/chaos/x1/', data: { A: 'b' } };
  return doc;
}

/** `path` is dotted with numeric segments for list items: `spec.ports.0.host`. */
export function setPath(doc: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const segs = path.split('.');
  let node: Record<string, unknown> = doc;
  segs.slice(0, -1).forEach((seg, i) => {
    const nextIsIndex = /^\d+$/.test(segs[i + 1]!);
    node[seg] ??= nextIsIndex ? [] : {};
    node = node[seg] as Record<string, unknown>;
  });
  node[segs[segs.length - 1]!] = value;
  return doc;
}

/** A document of `kind` whose field at `path` holds `value`, merged over `seed` fields. */
export function docWith(kind: string, path: string, value: unknown, seed: Record<string, unknown> = {}): string {
  const doc = baseDoc(kind);
  for (const [p, v] of Object.entries(seed)) setPath(doc, p, v);
  return stringify(setPath(doc, path, value), { lineWidth: 0 });
}

/** A Service document written by hand: `spec` is YAML lines indented under `spec:`. */
export function serviceText(spec: string, name = 'web'): string {
  return `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n${spec}`;
}

/** mulberry32: a tiny seeded generator, so "random" garbage is the same on every run. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomBytes(seed: number, length: number): Uint8Array {
  const next = prng(seed);
  return Uint8Array.from({ length }, () => Math.floor(next() * 256));
}

export const bytes = (...parts: (string | number[] | Uint8Array)[]): Uint8Array =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p) : Buffer.from(p))));
