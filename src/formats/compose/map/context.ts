/**
 * What every mapping step shares: the loaded stack, the repo's files, the host variables the
 * operator allowed, and the issues found so far. Each step reports every problem it sees and
 * goes on, so one load names them all (file:line:col with compose's path).
 */
import type { ManifestIssue } from '../../../errors.ts';
import type { Artifact } from '../../../ports.ts';
import type { ComposePath, LoadedCompose } from '../loaded.ts';

export type Obj = Record<string, unknown>;

export interface MapContext {
  loaded: LoadedCompose;
  artifact: Artifact;
  /** controller-host variables the operator allowed (never the whole environment) */
  hostEnv: Record<string, string>;
  issues: ManifestIssue[];
}

/** `['services','web','volumes',1]` → `services.web.volumes[1]` */
export function formatComposePath(path: ComposePath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out === '' ? seg : `.${seg}`;
  }
  return out;
}

export function report(ctx: MapContext, path: ComposePath, message: string): void {
  const at = ctx.loaded.locate(path);
  ctx.issues.push({ file: at.file, line: at.line, col: at.col, path: formatComposePath(path), message });
}

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Scalars as compose reads them into strings (`1.10` the loader already kept as text stays so). */
export function asText(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

/** compose's `list or string` fields (dns, env_file, tmpfs…) */
export function asList(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * compose's "list or dict" (environment, labels, sysctls, build.args, extra_hosts): a mapping
 * as written, or `KEY=VALUE` / `KEY` items. A key without a value is `null`.
 */
export function listOrDict(v: unknown, sep = '='): [string, string | null][] {
  if (isObj(v)) return Object.entries(v).map(([k, val]) => [k, val === null || val === undefined ? null : asText(val)]);
  return asList(v).map((item) => {
    const text = asText(item);
    const at = text.indexOf(sep);
    return at < 0 ? [text, null] : [text.slice(0, at), text.slice(at + 1)];
  });
}

/** A repo path of the stack folder → the artifact's key, or undefined when it leaves the artifact. */
export function artifactKey(ctx: MapContext, relToStack: string): string | undefined {
  const base = ctx.loaded.dir === '' ? [] : ctx.loaded.dir.split('/');
  const root = ctx.artifact.path === '' ? [] : ctx.artifact.path.split('/');
  const segs = [...base];
  for (const seg of relToStack.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (segs.length <= root.length) return undefined;
      segs.pop();
    } else segs.push(seg);
  }
  if (root.some((r, i) => segs[i] !== r)) return undefined;
  return segs.slice(root.length).join('/');
}

/** An artifact key → the path from the repo root, as git names it. */
export function repoPath(ctx: MapContext, key: string): string {
  return [ctx.artifact.path, key].filter((s) => s !== '').join('/');
}

/**
 * A file mode as compose means it: octal. YAML 1.2 reads `0440` as the decimal 440, so a
 * number whose digits are all octal is read back as octal (0440 → 0o440).
 */
export function octalMode(v: unknown): number {
  const text = typeof v === 'number' ? String(v) : asText(v).replace(/^0o/, '');
  return /^[0-7]+$/.test(text) ? Number.parseInt(text, 8) : Number(v);
}
