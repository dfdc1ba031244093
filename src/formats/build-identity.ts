/**
 * A build context as the engine would receive it, and the identity of the image it makes,
 * known without building: the same files (after .dockerignore), Dockerfile, target and args
 * give the same identity, hence the same tag and spec hash. Shared by the formats (which put
 * the identity in BuildSpec) and the back end (which sends exactly these files to the engine).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../model/hash.ts';
import { compareStrings } from '../model/sort.ts';

interface IgnoreRule {
  re: RegExp;
  negate: boolean;
}

/** One .dockerignore pattern (Go filepath.Match plus `**`) → a regex over slash paths. */
function patternToRegex(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        re += '(?:.*/)?';
      } else re += '.*';
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else if (c === '\\' && i + 1 < pattern.length) re += `\\${pattern[++i]}`;
    else re += c.replace(/[.+^${}()|\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** Normalises a pattern the way the docker CLI does: trimmed, leading `/` and `./` dropped. */
export function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split(/\r?\n/)) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    line = line
      .split('/')
      .filter((s) => s !== '' && s !== '.')
      .join('/');
    if (line === '') continue;
    rules.push({ re: patternToRegex(line), negate });
  }
  return rules;
}

/** The last rule matching the path or one of its parent folders decides, as in the docker CLI. */
export function isIgnored(rules: IgnoreRule[], path: string): boolean {
  const segs = path.split('/');
  const prefixes = segs.map((_, i) => segs.slice(0, i + 1).join('/'));
  let ignored = false;
  for (const rule of rules) {
    if (prefixes.some((p) => rule.re.test(p))) ignored = !rule.negate;
  }
  return ignored;
}

/**
 * The files the engine receives for a context folder (`''` = the root of `files`), keyed
 * relative to the context. The Dockerfile and .dockerignore are always sent, as the CLI does.
 */
export function contextFiles(
  files: Map<string, Uint8Array>,
  context: string,
  dockerfile: string,
): Map<string, Uint8Array> {
  const prefix = context === '' ? '' : `${context}/`;
  const ignoreFile = files.get(`${prefix}.dockerignore`);
  const rules = ignoreFile ? parseDockerignore(Buffer.from(ignoreFile).toString('utf8')) : [];
  const out = new Map<string, Uint8Array>();
  const keys = [...files.keys()].filter((k) => k.startsWith(prefix)).sort(compareStrings);
  for (const key of keys) {
    const rel = key.slice(prefix.length);
    if (rel === dockerfile || rel === '.dockerignore' || !isIgnored(rules, rel)) out.set(rel, files.get(key)!);
  }
  return out;
}

export interface BuildInputs {
  dockerfile: string;
  target?: string;
  args: Record<string, string>;
}

/** sha256 over every path and byte of the context, the dockerfile's name, target and args. */
export function buildIdentity(context: Map<string, Uint8Array>, inputs: BuildInputs): string {
  const listing = [...context.entries()]
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([path, bytes]) => [path, createHash('sha256').update(bytes).digest('hex')]);
  const text = canonicalJson({
    files: listing,
    dockerfile: inputs.dockerfile,
    target: inputs.target ?? null,
    args: inputs.args,
  });
  return createHash('sha256').update(text).digest('hex');
}

/** sha256 over every path and byte copied (RepoCopySpec.digest); keys are paths below the source. */
export function filesDigest(files: Map<string, Uint8Array>): string {
  const h = createHash('sha256');
  for (const [path, bytes] of [...files.entries()].sort(([a], [b]) => compareStrings(a, b))) {
    h.update(`${path}\0${bytes.length}\0`);
    h.update(bytes);
  }
  return h.digest('hex');
}
