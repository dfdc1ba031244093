/**
 * Artifact files → YAML documents that claim `apiVersion: bosun/v1`, each with its file and
 * line counter, plus issues for everything that stops a file or document from being read.
 * Hostile input (huge files, alias bombs, invalid bytes) becomes an issue, never a crash.
 */
import { LineCounter, type YAMLError, type YAMLWarning } from 'yaml';
import type { ManifestIssue } from '../../errors.ts';
import type { Artifact } from '../../ports.ts';
import { capped, withHiddenCount } from './cap.ts';
import { formatPath } from './locate.ts';
import { controlCharacterAt, decodeUtf8 } from './text.ts';
import { MAX_ALIASES, scanTree } from './tree-scan.ts';
import type { SourceDoc } from './types.ts';
import { composeStream, MAX_NESTING } from './yaml-stream.ts';

export const MAX_FILE_BYTES = 1024 * 1024;
/** yaml's guard against exponential alias expansion ("billion laughs"); real manifests need few */
export const MAX_ALIAS_COUNT = 100;
export const API_VERSION = 'bosun/v1';
const TOO_DEEP = `nesting too deep (the limit is ${MAX_NESTING} levels)`;

export interface ParsedFile {
  rel: string;
  file: string;
  issues: ManifestIssue[];
  docs: SourceDoc[];
}

/** Every YAML file of the artifact, sorted by path so issues and "first declared" are stable. */
export function parseArtifact(artifact: Artifact): ParsedFile[] {
  return [...artifact.files.keys()]
    .filter(isYamlFile)
    .sort()
    .map((rel) => parseFile(rel, repoFile(artifact, rel), artifact.files.get(rel)!));
}

/** Issues name files from the repository root, as the user finds them in git. */
export function repoFile(artifact: Artifact, rel: string): string {
  const base = artifact.path.replace(/^\/+|\/+$/g, '');
  return base === '' ? rel : `${base}/${rel}`;
}

/** `.yaml`/`.yml`, outside dot-directories (.github/ and friends hold other tools' YAML). */
export function isYamlFile(rel: string): boolean {
  if (!/\.ya?ml$/i.test(rel)) return false;
  return !rel
    .split('/')
    .slice(0, -1)
    .some((dir) => dir.startsWith('.'));
}

function parseFile(rel: string, file: string, bytes: Uint8Array): ParsedFile {
  const out: ParsedFile = { rel, file, issues: [], docs: [] };
  const at = (line: number, col: number, message: string) => out.issues.push({ file, line, col, path: '', message });
  if (bytes.byteLength > MAX_FILE_BYTES) {
    out.issues.push(oversizeIssue(file, bytes.byteLength));
    return out;
  }
  const text = decodeUtf8(bytes);
  if (typeof text === 'number') {
    at(text, 1, 'file is not valid UTF-8');
    return out;
  }
  const control = controlCharacterAt(text);
  if (control) {
    at(
      control.line,
      control.col,
      `control character ${control.codePoint} is not allowed in YAML (write it as an escape inside double quotes)`,
    );
    return out;
  }
  const lineCounter = new LineCounter();
  const stream = composeStream(text, lineCounter);
  if ('tooDeepAt' in stream) {
    const { line, col } = lineCounter.linePos(stream.tooDeepAt);
    at(line, col, TOO_DEEP);
    return out;
  }
  for (const doc of stream.docs) readDocument({ rel, file, doc, lineCounter }, out);
  return out;
}

/** Also for files the source did not read at all (skipped.ts): far bigger, and just as much ours. */
export function oversizeIssue(file: string, bytes: number): ManifestIssue {
  return { file, line: 1, col: 1, path: '', message: `file too large (${bytes} bytes, the limit is 1 MiB)` };
}

type DocInput = Omit<SourceDoc, 'value'>;

function readDocument(input: DocInput, out: ParsedFile): void {
  const { doc } = input;
  const problems = structuralIssues(input);
  if (problems.length > 0) {
    for (const issue of problems) out.issues.push(issue);
    return;
  }
  const value = toPlainData(input, out);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
  const apiVersion = (value as Record<string, unknown>).apiVersion;
  if (apiVersion === API_VERSION) {
    // unknown tags and directives only warn in yaml; in a manifest they change what a value means
    for (const w of capped(
      doc.warnings.map((e) => yamlIssue(input, e)),
      'warnings',
    ))
      out.issues.push(w);
    out.docs.push({ ...input, value: value as Record<string, unknown> });
  } else if (typeof apiVersion === 'string' && apiVersion.startsWith('bosun/')) {
    const node = doc.get('apiVersion', true) as { range?: [number, number, number] } | undefined;
    const { line, col } = input.lineCounter.linePos(node?.range?.[0] ?? 0);
    const message = `unsupported apiVersion "${apiVersion}" (expected ${API_VERSION})`;
    out.issues.push({ file: input.file, line, col, path: 'apiVersion', message });
  }
  // well-formed YAML of other tools (CI, compose, Helm values) is not ours to judge
}

/** Syntax errors, dangling aliases and duplicate keys: any of them, and the document is not read. */
function structuralIssues(input: DocInput): ManifestIssue[] {
  const { doc, file, lineCounter } = input;
  const syntax = syntaxIssues(input, doc.errors);
  if (syntax.length > 0) return syntax;
  const scan = scanTree(doc);
  const at = (offset: number) => lineCounter.linePos(offset);
  if (scan.unresolved) {
    const message = `Unresolved alias (the anchor must be set before the alias): ${scan.unresolved.source}`;
    return [{ file, ...at(scan.unresolved.range?.[0] ?? 0), path: '', message }];
  }
  if (scan.excess) {
    return [
      {
        file,
        ...at(scan.excess.range?.[0] ?? 0),
        path: '',
        message: `too many aliases (the limit is ${MAX_ALIASES} per document)`,
      },
    ];
  }
  const duplicates = scan.duplicates.map((d): ManifestIssue => {
    const message = `duplicate key "${d.path[d.path.length - 1]}"`;
    return { file, ...at(d.offset), path: formatPath(d.path), message };
  });
  return capped(duplicates, 'duplicate keys');
}

function toPlainData(input: DocInput, out: ParsedFile): unknown {
  const { doc, lineCounter, file } = input;
  try {
    return doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    // yaml's errors here carry no position: point at the document
    const { line, col } = lineCounter.linePos(doc.contents?.range[0] ?? doc.range[0]);
    out.issues.push({ file, line, col, path: '', message: toJsMessage(err) });
    return undefined;
  }
}

function toJsMessage(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  if (!/excessive alias count/i.test(text)) return text;
  return `too many aliases (more than ${MAX_ALIAS_COUNT} expansions): refusing to expand`;
}

/** Past this many, the rest of a broken document is mostly echoes of the first mistakes. */
const MAX_SYNTAX_ISSUES = 20;

function syntaxIssues(input: DocInput, errors: YAMLError[]): ManifestIssue[] {
  // yaml turns a stack overflow into one error per unwound level: the first says it all
  const exhausted = errors.find((e) => e.code === 'RESOURCE_EXHAUSTION');
  if (exhausted) return [{ ...yamlIssue(input, exhausted), message: TOO_DEEP }];
  const issues = errors.slice(0, MAX_SYNTAX_ISSUES).map((e) => yamlIssue(input, e));
  const next = errors[MAX_SYNTAX_ISSUES];
  return withHiddenCount(issues, next && yamlIssue(input, next), errors.length - issues.length, 'syntax errors');
}

function yamlIssue(input: DocInput, e: YAMLError | YAMLWarning): ManifestIssue {
  const { line, col } = input.lineCounter.linePos(e.pos[0]);
  return { file: input.file, line, col, path: '', message: yamlMessage(e) };
}

function yamlMessage(e: YAMLError | YAMLWarning): string {
  if (e.code !== 'TAG_RESOLVE_FAILED') return e.message;
  const tag = e.message.replace(/^Unresolved tag: /, '').replace(/^tag:yaml\.org,2002:/, '!!');
  return `unsupported tag ${tag} (manifests hold plain YAML 1.2: strings, numbers, booleans, lists and mappings)`;
}
