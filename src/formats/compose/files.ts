/**
 * Which files of a stack folder are its compose files, by compose's own names and precedence,
 * and the override file compose merges on top by default.
 */
import type { Artifact } from '../../ports.ts';

/** compose-go's order: the first one present is the stack's file. */
export const COMPOSE_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const OVERRIDE_FILE_NAMES = [
  'compose.override.yaml',
  'compose.override.yml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

/** The compose files to read, in merge order, relative to the artifact's path. */
export function findComposeFiles(artifact: Artifact, files?: readonly string[]): string[] {
  if (files && files.length > 0) return files.map(normalizeRel);
  const main = present(artifact, COMPOSE_FILE_NAMES)[0];
  if (main === undefined) return [];
  const override = present(artifact, OVERRIDE_FILE_NAMES)[0];
  return override === undefined ? [main] : [main, override];
}

/**
 * Candidates compose would pass over with a warning ("Found multiple config files"): in a repo
 * that is a mistake waiting to happen, the ignored file looking authoritative, so bosun refuses.
 */
export function ignoredComposeFiles(artifact: Artifact): { used: string; ignored: string }[] {
  const out: { used: string; ignored: string }[] = [];
  for (const names of [COMPOSE_FILE_NAMES, OVERRIDE_FILE_NAMES]) {
    const [used, ...ignored] = present(artifact, names);
    for (const other of ignored) out.push({ used: used!, ignored: other });
  }
  return out;
}

/** Whether the artifact (files read or skipped for their size) holds a compose file at its top. */
export function hasComposeFile(artifact: Artifact): boolean {
  return present(artifact, COMPOSE_FILE_NAMES).length > 0;
}

function present(artifact: Artifact, names: readonly string[]): string[] {
  const skipped = new Set((artifact.skipped ?? []).map((f) => f.path));
  return names.filter((n) => artifact.files.has(n) || skipped.has(n));
}

/** `./a//b.yml` → `a/b.yml`; a path leaving the folder keeps its `..` for the caller to refuse. */
export function normalizeRel(rel: string): string {
  const out: string[] = [];
  for (const part of rel.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

/** Path from the repo root, as issues name files. */
export function repoPath(artifact: Artifact, rel: string): string {
  const base = artifact.path.replace(/^\/+|\/+$/g, '');
  return base === '' ? rel : `${base}/${rel}`;
}
