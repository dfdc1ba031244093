/**
 * Dockerfile syntax only BuildKit understands. bosun builds through the engine's /build API with
 * its classic builder, and with BuildKit (`version=2`) where the Dockerfile uses such syntax;
 * since not every engine has BuildKit, nor a frontend that knows every form (Docker 20.10's has
 * no heredocs), `bosun validate` and a reconcile warn at the Dockerfile's line. Warnings, not
 * errors: the engine that applies may be one whose builder takes them. Pure.
 */
import type { ManifestIssue } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import type { Artifact } from '../ports.ts';
import { normalizeContextPath } from './build-identity.ts';

export interface BuildkitUse {
  line: number;
  col: number;
  /** what was written, e.g. `RUN --mount` or `COPY <<EOF` */
  what: string;
  /** true: the classic builder ignores it rather than failing */
  ignored?: boolean;
}

/** Flags of each instruction the classic builder does not have (it has --from, --chown, --platform). */
const BUILDKIT_FLAGS: Record<string, ReadonlySet<string>> = {
  RUN: new Set(['mount', 'network', 'security', 'device']),
  COPY: new Set(['link', 'chmod', 'parents', 'exclude']),
  ADD: new Set(['link', 'chmod', 'checksum', 'keep-git-dir', 'parents', 'exclude', 'unpack']),
};
const HEREDOC = /^<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2$/;

interface Word {
  text: string;
  line: number;
  col: number;
}

/** The words of one physical line from `start` (1-based column of each). */
function wordsOf(text: string, line: number, start = 0): Word[] {
  const out: Word[] = [];
  for (const m of text.slice(start).matchAll(/\S+/g)) out.push({ text: m[0], line, col: start + m.index + 1 });
  return out;
}

/** Every BuildKit-only use in a Dockerfile's text, in line order. */
export function buildkitUses(text: string): BuildkitUse[] {
  const lines = text.split(/\r?\n/);
  const out: BuildkitUse[] = [];
  let esc = '\\';
  let directives = true;
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const directive = directives ? /^#\s*([a-zA-Z]+)\s*=\s*(\S*)\s*$/.exec(raw) : null;
    if (directive) {
      const key = directive[1]!.toLowerCase();
      if (key === 'escape' && (directive[2] === '`' || directive[2] === '\\')) esc = directive[2];
      if (key === 'syntax') out.push({ line: i + 1, col: 1, what: '# syntax=', ignored: true });
      continue;
    }
    directives = false;
    if (raw.trim() === '' || raw.trimStart().startsWith('#')) continue;
    // one instruction: its physical lines joined by the escape character, comment lines skipped
    const words = wordsOf(raw, i + 1);
    let last = raw;
    while (last.trimEnd().endsWith(esc) && i + 1 < lines.length) {
      const w = words[words.length - 1]!;
      if (w.text === esc) words.pop();
      else w.text = w.text.slice(0, -1);
      i++;
      last = lines[i]!;
      if (!last.trimStart().startsWith('#')) words.push(...wordsOf(last, i + 1));
    }
    const terminators = instructionUses(words, out);
    i = skipHeredocBodies(lines, i, terminators);
  }
  return out;
}

/** Records the instruction's BuildKit-only flags and heredocs; returns the heredocs' terminators. */
function instructionUses(words: Word[], out: BuildkitUse[]): { word: string; dash: boolean }[] {
  const name = words[0]?.text.toUpperCase() ?? '';
  const flags = BUILDKIT_FLAGS[name];
  if (!flags) return [];
  let k = 1;
  for (; k < words.length && words[k]!.text.startsWith('--'); k++) {
    const flag = words[k]!.text.slice(2).split('=')[0]!;
    if (flags.has(flag)) out.push({ line: words[k]!.line, col: words[k]!.col, what: `${name} --${flag}` });
  }
  const terminators: { word: string; dash: boolean }[] = [];
  for (const w of words.slice(k).filter((w) => w.line === words[0]!.line)) {
    const m = HEREDOC.exec(w.text);
    if (!m) continue;
    if (terminators.length === 0) out.push({ line: w.line, col: w.col, what: `${name} ${w.text}` });
    terminators.push({ word: m[3]!, dash: m[1] === '-' });
  }
  return terminators;
}

/** The index of the last line of the heredoc bodies after line `i` (each ends at its word alone on a line). */
function skipHeredocBodies(lines: string[], i: number, terminators: { word: string; dash: boolean }[]): number {
  let at = i;
  for (const t of terminators) {
    while (at + 1 < lines.length) {
      at++;
      const line = t.dash ? lines[at]!.replace(/^\t+/, '') : lines[at]!;
      if (line === t.word) break;
    }
  }
  return at;
}

/**
 * The warnings of every built service whose Dockerfile (read from the artifact) uses
 * BuildKit-only syntax, at the Dockerfile's line; files are named from the repo's root, as the
 * formats name their own.
 */
export function buildkitWarnings(desired: DesiredState, artifact: Artifact): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const root = artifact.path === '' ? '' : `${artifact.path}/`;
  const seen = new Set<string>();
  for (const s of desired.services) {
    if (!s.build) continue;
    const file = normalizeContextPath(`${s.build.context}/${s.build.dockerfile}`);
    const bytes = artifact.files.get(file.slice(root.length));
    if (!bytes || !file.startsWith(root) || seen.has(file)) continue;
    seen.add(file);
    const users = desired.services
      .filter((o) => o.build?.context === s.build!.context && o.build.dockerfile === s.build!.dockerfile)
      .map((o) => o.name);
    for (const use of buildkitUses(Buffer.from(bytes).toString('utf8')))
      out.push({ file, line: use.line, col: use.col, path: '', message: buildkitMessage(use, users) });
  }
  return out;
}

function buildkitMessage(use: BuildkitUse, services: string[]): string {
  const of = `the build of ${services.join(', ')}`;
  if (use.ignored)
    return `${use.what} is BuildKit's: the classic builder ignores it; where other syntax makes bosun build with BuildKit, the engine fetches that frontend (${of})`;
  return `${use.what} needs BuildKit: bosun runs ${of} on the engine's BuildKit; an engine without it, or whose Dockerfile frontend lacks it, fails it at apply, before anything is replaced`;
}
