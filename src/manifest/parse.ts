/**
 * Artifact files → YAML documents that claim `apiVersion: bosun/v1`, each with its file and
 * line counter, plus issues for everything that stops a file or document from being read.
 * Hostile input (huge files, alias bombs, invalid bytes) becomes an issue, never a crash.
 */
import { isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Document, type YAMLError } from 'yaml';
import type { ManifestIssue } from '../errors.ts';
import type { Artifact } from '../ports.ts';
import type { Segment, SourceDoc } from './types.ts';
import { formatPath } from './locate.ts';

export const MAX_FILE_BYTES = 1024 * 1024;
/** yaml's guard against exponential alias expansion ("billion laughs"); real manifests need few */
export const MAX_ALIAS_COUNT = 100;
export const API_VERSION = 'bosun/v1';

export interface ParsedFile {
  rel: string;
  file: string;
  issues: ManifestIssue[];
  docs: SourceDoc[];
}

/** Every YAML file of the artifact, sorted by path so issues and "first declared" are stable. */
export function parseArtifact(artifact: Artifact): ParsedFile[] {
  const base = artifact.path.replace(/^\/+|\/+$/g, '');
  return [...artifact.files.keys()]
    .filter(isYamlFile)
    .sort()
    .map((rel) => parseFile(rel, base === '' ? rel : `${base}/${rel}`, artifact.files.get(rel)!));
}

/** `.yaml`/`.yml`, outside dot-directories (.github/ and friends hold other tools' YAML). */
export function isYamlFile(rel: string): boolean {
  if (!/\.ya?ml$/i.test(rel)) return false;
  return !rel.split('/').slice(0, -1).some((dir) => dir.startsWith('.'));
}

function parseFile(rel: string, file: string, bytes: Uint8Array): ParsedFile {
  const out: ParsedFile = { rel, file, issues: [], docs: [] };
  const at = (line: number, message: string) => out.issues.push({ file, line, col: 1, path: '', message });
  if (bytes.byteLength > MAX_FILE_BYTES) {
    at(1, `file too large (${bytes.byteLength} bytes, the limit is 1 MiB)`);
    return out;
  }
  const text = decodeUtf8(bytes);
  if (typeof text === 'number') {
    at(text, 'file is not valid UTF-8');
    return out;
  }
  const lineCounter = new LineCounter();
  for (const doc of parseAllDocuments(text, { lineCounter, prettyErrors: false })) {
    readDocument({ rel, file, doc, lineCounter }, out);
  }
  return out;
}

/** The text, or the 1-based line holding the first invalid byte. */
function decodeUtf8(bytes: Uint8Array): string | number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // '\n' never occurs inside a multi-byte sequence, so decoding line by line finds the culprit
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      const chunk = bytes.subarray(start, end === -1 ? bytes.length : end);
      try {
        decoder.decode(chunk);
      } catch {
        return line;
      }
      if (end === -1) return 1;
      start = end + 1;
    }
  }
}

type DocInput = Omit<SourceDoc, 'value'>;

function readDocument(input: DocInput, out: ParsedFile): void {
  const { doc, lineCounter, file } = input;
  if (doc.errors.length > 0) {
    out.issues.push(...syntaxIssues(input, doc.errors));
    return;
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // yaml's errors here carry no position: point at the dangling alias, else at the document
    const { line, col } = lineCounter.linePos(unresolvedAliasAt(doc) ?? doc.contents?.range[0] ?? doc.range[0]);
    out.issues.push({ file, line, col, path: '', message: toJsMessage(err) });
    return;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const apiVersion = (value as Record<string, unknown>).apiVersion;
  if (apiVersion === API_VERSION) {
    out.docs.push({ ...input, value: value as Record<string, unknown> });
  } else if (typeof apiVersion === 'string' && apiVersion.startsWith('bosun/')) {
    const node = doc.get('apiVersion', true) as { range?: [number, number, number] } | undefined;
    const { line, col } = lineCounter.linePos(node?.range?.[0] ?? 0);
    const message = `unsupported apiVersion "${apiVersion}" (expected ${API_VERSION})`;
    out.issues.push({ file, line, col, path: 'apiVersion', message });
  }
  // well-formed YAML of other tools (CI, compose, Helm values) is not ours to judge
}

function unresolvedAliasAt(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_, node) {
      if (node.resolve(doc) !== undefined) return undefined;
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function toJsMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (!/excessive alias count/i.test(text)) return text;
  return `too many aliases (more than ${MAX_ALIAS_COUNT} expansions): refusing to expand`;
  return text;
}

/** Past this many, the rest of a broken document is mostly echoes of the first mistakes. */
const MAX_SYNTAX_ISSUES = 20;

function syntaxIssues(input: DocInput, errors: YAMLError[]): ManifestIssue[] {
  // yaml turns a stack overflow into one error per unwound level: the first says it all
  const exhausted = errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) return [{ ...yamlIssue(input, exhausted), message: 'nesting too deep' }];
  const issues = errors.slice(0, MAX_SYNTAX_ISSUES).map((e) => yamlIssue(input, e));
  if (errors.length > MAX_SYNTAX_ISSUES) {
    const last = issues[issues.length - 1]!;
    issues.push({ ...last, path: '', message: `${errors.length - MAX_SYNTAX_ISSUES} more syntax errors in this document` });
  }
  return issues;
}

function yamlIssue(input: DocInput, e: YAMLError): ManifestIssue {
  const { line, col } = input.lineCounter.linePos(e.pos[0]);
  const issue = { file: input.file, line, col, path: '', message: e.message };
  if (e.code !== 'DUPLICATE_KEY') return issue;
  const at = keyPathAt(input.doc.contents, e.pos[0], []);
  if (!at) return { ...issue, message: 'duplicate key' };
  return { ...issue, path: formatPath(at), message: `duplicate key "${at[at.length - 1]}"` };
}

/** Path of the mapping key that starts at `offset`. */
function keyPathAt(node: Document.Parsed['contents'] | unknown, offset: number, at: Segment[]): Segment[] | undefined {
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : '?';
      if (isScalar(pair.key) && pair.key.range?.[0] === offset) return [...at, key];
      const found = keyPathAt(pair.value, offset, [...at, key]);
      if (found) return found;
    }
  } else if (isSeq(node)) {
    for (let i = 0; i < node.items.length; i++) {
      const found = keyPathAt(node.items[i], offset, [...at, i]);
      if (found) return found;
    }
  }
  return undefined;
}
