/**
 * From a path inside a document to the place in the file the user must look at. Paths come
 * from ajv (JSON pointers) or from our own checks (segment arrays); both walk the YAML AST,
 * so a message points at the node itself, not at the start of the document.
 */
import { isAlias, isMap, isScalar, isSeq, type Node, type Pair, type YAMLMap } from 'yaml';
import type { ManifestIssue } from '../../errors.ts';
import type { Segment, SourceDoc } from './types.ts';

export interface IssueOptions {
  /** the path shown to the user, when it differs from where the issue points (missing keys) */
  path?: Segment[];
  /** point at the key of the last segment rather than at its value (unknown keys) */
  onKey?: boolean;
}

export function issueAt(src: SourceDoc, at: Segment[], message: string, opts: IssueOptions = {}): ManifestIssue {
  const { line, col } = src.lineCounter.linePos(offsetOf(src, at, opts.onKey ?? false));
  return { file: src.file, line, col, path: formatPath(opts.path ?? at), message };
}

/** `{line, col}` of the node at `at` (or of its deepest existing ancestor). */
export function positionOf(src: SourceDoc, at: Segment[]): { line: number; col: number } {
  return src.lineCounter.linePos(offsetOf(src, at, false));
}

/** The AST node at `at`, when every step exists. */
export function nodeAt(src: SourceDoc, at: Segment[]): unknown {
  let node: unknown = src.doc.contents;
  for (const seg of at) {
    const step = child(src, node, seg);
    if (!step) return undefined;
    node = step.value;
  }
  return node;
}

function offsetOf(src: SourceDoc, at: Segment[], onKey: boolean): number {
  let node: unknown = src.doc.contents;
  let best = startOf(node) ?? 0;
  for (let i = 0; i < at.length; i++) {
    const step = child(src, node, at[i]!);
    if (!step) break;
    const keyStart = startOf(step.key);
    if (onKey && i === at.length - 1 && keyStart !== undefined) return keyStart;
    node = step.value;
    // `spec:` with nothing after it has an empty scalar positioned past the colon: the key reads better
    best = (isEmpty(node) ? keyStart : startOf(node)) ?? best;
  }
  return best;
}

function child(src: SourceDoc, node: unknown, seg: Segment): { key?: unknown; value: unknown } | undefined {
  const target = isAlias(node) ? node.resolve(src.doc) : node;
  if (isMap(target)) {
    const pair = pairsByKey(target).get(String(seg));
    return pair && { key: pair.key, value: pair.value };
  }
  if (isSeq(target)) {
    const item: unknown = target.items[Number(seg)];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

/**
 * Each mapping indexed once: a linear search per lookup made every key of a 20k-key env
 * (normalizing it looks up each key) cost a scan of all the others.
 */
const indexes = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairsByKey(map: YAMLMap): Map<string, Pair> {
  let index = indexes.get(map);
  if (!index) {
    index = new Map();
    // the first of equal keys, as the linear search found it (duplicates are refused anyway)
    for (const p of map.items as Pair[])
      if (isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
    indexes.set(map, index);
  }
  return index;
}

function startOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

function isEmpty(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}

/** `spec.ports[0].host`; keys that are not plain words are quoted: `spec.labels["com.x/y"]`. */
export function formatPath(at: Segment[]): string {
  let out = '';
  for (const seg of at) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** Turns ajv's instancePath into segments, with numbers where the data holds an array. */
export function pointerToSegments(pointer: string, data: unknown): Segment[] {
  if (pointer === '') return [];
  const out: Segment[] = [];
  let value = data;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const seg = Array.isArray(value) ? Number(key) : key;
    out.push(seg);
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  }
  return out;
}
