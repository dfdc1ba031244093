/**
 * One linear pass over a composed document, before it becomes JS data: which aliases resolve,
 * and which mapping keys repeat. yaml's own duplicate check compares every key with every
 * earlier one, and its Alias.resolve rescans the document per alias: both quadratic, so 40k
 * keys or 20k aliases took minutes. Here anchors are tracked in document order instead.
 */
import {
  isAlias,
  isCollection,
  isMap,
  isScalar,
  isSeq,
  type Alias,
  type Document,
  type Node,
  type YAMLMap,
} from 'yaml';
import type { Segment } from './types.ts';

interface Visit {
  node: unknown;
  parent?: Visit;
  seg?: Segment;
}

export interface DuplicateKey {
  offset: number;
  /** down to the repeated key itself */
  path: Segment[];
}

/**
 * Aliases one document may hold. yaml's toJS still looks each one up by a scan of the
 * document's anchors and aliases, so their number must stay small: 20k took 90 s. Manifests
 * use a handful; long CI files a few hundred.
 */
export const MAX_ALIASES = 1000;

export interface TreeScan {
  /** the first alias whose anchor is not defined before it */
  unresolved?: Alias;
  /** the first alias past MAX_ALIASES */
  excess?: Alias;
  duplicates: DuplicateKey[];
}

export function scanTree(doc: Document.Parsed): TreeScan {
  const anchors = new Map<string, unknown>();
  const resolved = new Map<Alias, unknown>();
  const maps: Visit[] = [];
  let unresolved: Alias | undefined;
  let excess: Alias | undefined;
  // children pushed in reverse, so nodes are visited in document order (as yaml resolves aliases)
  const stack: Visit[] = [{ node: doc.contents }];
  for (let visit = stack.pop(); visit !== undefined; visit = stack.pop()) {
    const { node } = visit;
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      resolved.set(node, target);
      if (target === undefined) unresolved ??= node;
      if (resolved.size > MAX_ALIASES) excess ??= node;
      continue;
    }
    const anchor = (node as { anchor?: string } | null | undefined)?.anchor;
    if (anchor) anchors.set(anchor, node);
    if (isMap(node)) maps.push(visit);
    const children = childrenOf(visit);
    // a loop, not push(...children): a spread of 150k arguments overflows the stack
    for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
  }
  const keyOf = (key: unknown) => keyText(isAlias(key) ? resolved.get(key) : key);
  return {
    unresolved,
    excess,
    duplicates: maps.flatMap((m) => duplicatesIn(m, keyOf)).sort((a, b) => a.offset - b.offset),
  };
}

function childrenOf(visit: Visit): Visit[] {
  const { node } = visit;
  const out: Visit[] = [];
  // plain scalars (most nodes) hold neither anchors nor keys: not worth a visit each
  const add = (child: unknown, seg: Segment) => {
    if (isCollection(child) || isAlias(child) || (child as { anchor?: string } | null)?.anchor)
      out.push({ node: child, parent: visit, seg });
  };
  if (isMap(node)) {
    for (const pair of node.items) {
      add(pair.key, '?');
      add(pair.value, keyText(pair.key) ?? '?');
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => add(item, i));
  }
  return out;
}

function duplicatesIn(visit: Visit, keyOf: (key: unknown) => string | undefined): DuplicateKey[] {
  const seen = new Set<string>();
  const out: DuplicateKey[] = [];
  for (const pair of (visit.node as YAMLMap).items) {
    const key = keyOf(pair.key);
    if (key === undefined) continue;
    if (seen.has(key)) out.push({ offset: (pair.key as Node).range?.[0] ?? 0, path: [...pathOf(visit), key] });
    seen.add(key);
  }
  return out;
}

/**
 * The JS property a scalar key becomes: `1` and `"1"` collide in an object just like `A` and
 * `"A"`, so they are duplicates too. Collection keys have no stable text and are left alone.
 */
function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function pathOf(visit: Visit): Segment[] {
  const out: Segment[] = [];
  for (let v: Visit | undefined = visit; v?.seg !== undefined; v = v.parent) out.push(v.seg);
  return out.reverse();
}
