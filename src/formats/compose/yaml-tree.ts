/**
 * One compose file's text → plain data with places (./tree.ts), resolving what YAML leaves to
 * the reader: anchors and aliases, `<<` merge keys, and compose's `!reset` / `!override` tags.
 * Hostile input gets the same guards as bosun/v1 manifests (size, bytes, nesting, aliases).
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, type Document, type Node, type Pair } from 'yaml';
import { decodeUtf8, controlCharacterAt } from '../bosun-v1/text.ts';
import { MAX_FILE_BYTES } from '../bosun-v1/parse.ts';
import { scanTree } from '../bosun-v1/tree-scan.ts';
import { composeStream, MAX_NESTING } from '../bosun-v1/yaml-stream.ts';
import type { Issues } from './issues.ts';
import { type Obj, type Place, type Pos, placeOf, put, setPlace, setTag } from './tree.ts';

/** Nodes one file may expand to: aliases of aliases grow exponentially ("billion laughs"). */
export const MAX_EXPANDED_NODES = 200_000;
const PLAIN_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

export interface ParsedCompose {
  file: string;
  /** the top-level mapping; undefined when the file cannot be read (its issues say why) */
  value?: Obj;
}

export function parseComposeFile(file: string, bytes: Uint8Array, issues: Issues): ParsedCompose {
  const at = (line: number, col: number, message: string) => issues.add({ file, line, col }, [], message);
  if (bytes.byteLength > MAX_FILE_BYTES) {
    at(1, 1, `file too large (${bytes.byteLength} bytes, the limit is 1 MiB)`);
    return { file };
  }
  const text = decodeUtf8(bytes);
  if (typeof text === 'number') {
    at(text, 1, 'file is not valid UTF-8');
    return { file };
  }
  const control = controlCharacterAt(text);
  if (control) {
    at(control.line, control.col, `control character ${control.codePoint} is not allowed in YAML`);
    return { file };
  }
  const lineCounter = new LineCounter();
  const stream = composeStream(text, lineCounter);
  const pos = (offset: number | undefined): Pos => ({ file, ...lineCounter.linePos(offset ?? 0) });
  if ('tooDeepAt' in stream) {
    issues.add(pos(stream.tooDeepAt), [], `nesting too deep (the limit is ${MAX_NESTING} levels)`);
    return { file };
  }
  const docs = stream.docs.filter((d) => d.contents !== null || d.errors.length > 0);
  if (docs.length > 1) issues.add(pos(docs[1]!.range[0]), [], 'a compose file holds one YAML document');
  const doc = docs[0];
  if (!doc || docs.length > 1) return { file, value: doc ? undefined : {} };
  if (!readable(doc, pos, issues)) return { file };
  const value = new Converter(doc, pos, issues).top();
  return { file, value };
}

function readable(doc: Document.Parsed, pos: (o: number | undefined) => Pos, issues: Issues): boolean {
  for (const e of doc.errors.slice(0, 20)) issues.add(pos(e.pos[0]), [], e.message);
  if (doc.errors.length > 0) return false;
  const scan = scanTree(doc);
  if (scan.unresolved) {
    const message = `unknown anchor "${scan.unresolved.source}" (an anchor must be set before its alias)`;
    issues.add(pos(scan.unresolved.range?.[0]), [], message);
  }
  if (scan.excess) issues.add(pos(scan.excess.range?.[0]), [], 'too many aliases in this file');
  for (const d of scan.duplicates.slice(0, 50)) issues.add(pos(d.offset), d.path, `duplicate key "${d.path.at(-1)}"`);
  return !scan.unresolved && !scan.excess && scan.duplicates.length === 0;
}

class Converter {
  private readonly anchors = new Map<string, Node>();
  /** anchored nodes being expanded: an alias to one of them would recurse forever */
  private readonly open = new Set<unknown>();
  private expanded = 0;
  private exhausted = false;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly pos: (o: number | undefined) => Pos,
    private readonly issues: Issues,
  ) {}

  top(): Obj | undefined {
    const root = this.doc.contents;
    if (root === null || (isScalar(root) && root.value === null)) return {};
    if (!isMap(root)) {
      this.issues.add(this.pos(root.range?.[0]), [], 'a compose file must be a mapping (services:, networks:, ...)');
      return undefined;
    }
    const value = this.value(root, []);
    return this.exhausted ? undefined : (value as Obj);
  }

  private value(node: unknown, path: (string | number)[]): unknown {
    if (++this.expanded > MAX_EXPANDED_NODES) {
      if (!this.exhausted) this.issues.add(this.pos(rangeOf(node)), path, 'aliases expand to too many values');
      this.exhausted = true;
      return null;
    }
    if (isAlias(node)) return this.alias(node.source, path, rangeOf(node));
    const anchor = (node as { anchor?: string } | null)?.anchor;
    if (anchor) this.anchors.set(anchor, node as Node);
    this.checkTag(node, path);
    if (isMap(node)) return this.mapping(node.items as Pair[], path);
    if (isSeq(node)) {
      const out: unknown[] = [];
      node.items.forEach((item, i) => {
        out.push(this.value(item, [...path, i]));
        setPlace(out, i, { at: this.pos(rangeOf(item)) });
      });
      return out;
    }
    return isScalar(node) ? node.value : null;
  }

  private alias(name: string, path: (string | number)[], offset: number | undefined): unknown {
    const target = this.anchors.get(name);
    if (this.open.has(target)) {
      this.issues.add(this.pos(offset), path, `alias *${name} is inside its own anchor`);
      this.exhausted = true;
      return null;
    }
    this.open.add(target);
    const value = this.value(target, path);
    this.open.delete(target);
    return value;
  }

  private checkTag(node: unknown, path: (string | number)[]): void {
    const tag = (node as { tag?: string } | null)?.tag;
    if (tag === undefined || PLAIN_TAGS.has(tag) || tag === '!reset' || tag === '!override') return;
    const message = `unsupported tag ${tag} (compose files hold plain YAML; the only tags are !reset and !override)`;
    this.issues.add(this.pos(rangeOf(node)), path, message);
  }

  private mapping(pairs: Pair[], path: (string | number)[]): Obj {
    const out: Obj = {};
    const merged: { value: unknown; from: object; key: string }[] = [];
    for (const pair of pairs) {
      const keyNode = isAlias(pair.key) ? this.anchors.get(pair.key.source) : pair.key;
      if (!isScalar(keyNode)) {
        this.issues.add(this.pos(rangeOf(pair.key)), path, 'mapping keys must be plain strings');
        continue;
      }
      const key = String(keyNode.value);
      if (key === '<<' && keyNode.type === 'PLAIN') {
        merged.push(...this.mergeSources(pair.value, [...path, key]));
        continue;
      }
      const place: Place = { at: this.pos(rangeOf(pair.value) ?? rangeOf(pair.key)), key: this.pos(rangeOf(pair.key)) };
      if (isEmptyScalar(pair.value)) place.at = place.key!;
      const tag = (pair.value as { tag?: string } | null)?.tag;
      setPlace(out, key, place);
      if (tag === '!reset') {
        setTag(out, key, 'reset');
        continue;
      }
      put(out, key, this.value(pair.value, [...path, key]));
      if (tag === '!override') setTag(out, key, 'override');
    }
    // explicit keys win over merged ones, and earlier merge sources over later ones (YAML 1.1)
    const explicit = new Set(Object.keys(out));
    for (const m of merged) {
      if (explicit.has(m.key) || placeOf(out, m.key)) continue;
      put(out, m.key, m.value);
      setPlace(out, m.key, placeOf(m.from, m.key));
    }
    return out;
  }

  /** `<<: *base` or `<<: [*a, *b]`: the entries each source brings, in precedence order. */
  private mergeSources(node: unknown, path: (string | number)[]) {
    const sources = isSeq(node) ? node.items : [node];
    const out: { value: unknown; from: object; key: string }[] = [];
    for (const source of sources) {
      const value = this.value(source, path);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        this.issues.add(this.pos(rangeOf(source)), path, 'a merge key (<<) takes a mapping or a list of mappings');
        continue;
      }
      for (const [key, v] of Object.entries(value)) out.push({ value: v, from: value, key });
    }
    return out;
  }
}

function rangeOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}

function isEmptyScalar(node: unknown): boolean {
  if (node === null || node === undefined) return true;
  return isScalar(node) && node.value === null && !!node.range && node.range[0] === node.range[1];
}
