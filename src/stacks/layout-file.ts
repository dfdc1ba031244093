/**
 * `bosun-stacks.yaml` at the root of a cluster repo: the stacks it holds, their order and what
 * they read from outside their folders. Not a manifest (no apiVersion: the bosun/v1 format
 * leaves it alone); every problem is reported at once as `file:line:col path: message`.
 *
 *   stacks:
 *     - path: stacks/proxy
 *     - path: stacks/shop
 *       dependsOn: [stacks/proxy]
 *       inputs: [shared/env]
 *     - path: apps/*
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ManifestError, type ManifestIssue } from '../errors.ts';

export const LAYOUT_FILE = 'bosun-stacks.yaml';

/** One entry as written; `path` may be a glob. Paths are relative to the repo root (or --path). */
export interface LayoutEntry {
  path: string;
  dependsOn: string[];
  inputs: string[];
  /** where each value was written, for the errors found later (a dependsOn naming no stack, a cycle) */
  at: { path: Where; dependsOn: Where[] };
}

export interface Where {
  line: number;
  col: number;
}

const ENTRY_KEYS = new Set(['path', 'dependsOn', 'inputs']);

/** The layout file's text → its entries, or one ManifestError with every problem. */
export function parseLayout(file: string, text: string): LayoutEntry[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const at = (node: unknown): Where =>
    (node as Node | undefined)?.range ? lines.linePos((node as Node).range![0]) : { line: 1, col: 1 };
  const issues: ManifestIssue[] = [...doc.errors, ...doc.warnings].map((e) => ({
    file,
    ...lines.linePos(e.pos[0]),
    path: '',
    message: e.message.split('\n')[0]!,
  }));
  const issue = (node: unknown, path: string, message: string) => issues.push({ file, ...at(node), path, message });
  const entries: LayoutEntry[] = [];
  const root = doc.contents;
  if (issues.length > 0) throw new ManifestError(issues, { noun: 'stack layout error' });
  if (!isMap(root)) issue(root, '', 'must be a mapping with a stacks list');
  else {
    for (const pair of root.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '';
      if (key !== 'stacks') issue(pair.key, key, 'is not a key of bosun-stacks.yaml (stacks)');
    }
    const list = root.get('stacks', true);
    if (!isSeq(list) || list.items.length === 0) issue(list ?? root, 'stacks', 'must be a non-empty list');
    else list.items.forEach((item, i) => readEntry(item, `stacks[${i}]`, issue, at, entries));
  }
  if (issues.length > 0) throw new ManifestError(issues, { noun: 'stack layout error' });
  return entries;
}

type Issue = (node: unknown, path: string, message: string) => void;

function readEntry(item: unknown, where: string, issue: Issue, at: (n: unknown) => Where, out: LayoutEntry[]): void {
  if (!isMap(item)) {
    issue(item, where, 'must be a mapping with a path');
    return;
  }
  for (const pair of item.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (!ENTRY_KEYS.has(key)) issue(pair.key, `${where}.${key}`, 'is not a stack key (path, dependsOn, inputs)');
  }
  const pathNode = item.get('path', true);
  if (pathNode === undefined) issue(item, `${where}.path`, "is required: the stack's folder");
  const path = pathNode === undefined ? undefined : folderText(pathNode, `${where}.path`, issue);
  const dependsOn = strings(item.get('dependsOn', true), `${where}.dependsOn`, issue, at);
  const inputs = strings(item.get('inputs', true), `${where}.inputs`, issue, at);
  if (path === undefined || !dependsOn || !inputs) return;
  out.push({
    path,
    dependsOn: dependsOn.map((d) => d.value),
    inputs: inputs.map((d) => d.value),
    at: { path: at(pathNode), dependsOn: dependsOn.map((d) => d.at) },
  });
}

/** A folder inside the repo: relative, no `..`, written without a trailing slash. */
function folderText(node: unknown, where: string, issue: Issue): string | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '')
    return void issue(node, where, 'must be a folder of the repo (a non-empty string)');
  const parts = node.value.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || node.value.startsWith('/'))
    return void issue(node, where, 'must be relative and stay inside the repository (no "..")');
  return parts.join('/');
}

function strings(
  node: unknown,
  where: string,
  issue: Issue,
  at: (n: unknown) => Where,
): { value: string; at: Where }[] | undefined {
  if (node === undefined) return [];
  if (!isSeq(node)) return void issue(node, where, 'must be a list of folders');
  const out: { value: string; at: Where }[] = [];
  node.items.forEach((item, i) => {
    const value = folderText(item, `${where}[${i}]`, issue);
    if (value !== undefined) out.push({ value, at: at(item) });
  });
  return out.length === node.items.length ? out : undefined;
}
