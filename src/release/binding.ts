/**
 * Project binding: which source (repo + path) owns a project name. Without it, a committer who
 * renames the Project of repo B to "shop" would have B's revision applied to shop, and every
 * container of shop pruned. The first source that applies a project binds it; another source
 * naming the same project is refused before anything is planned, unless the project is handed
 * over explicitly (--take-over-project NAME) or by a host policy (`allowTakeover`).
 *
 * Pure: the decision takes what was read and says what to do; binding-record.ts reads and writes.
 */
import path from 'node:path';
import { BosunError, Codes } from '../errors.ts';
import type { BindReason, ProjectSource } from '../model/release.ts';

export type { BindReason, ProjectSource };

/** The record kept at /bosun/<project>/binding. */
export interface Binding extends ProjectSource {
  /** ISO time it was written */
  since: string;
  /** user@host that wrote it */
  by: string;
  reason: BindReason;
  /** the source it was taken over from (reason takeover) */
  from?: ProjectSource;
  /** what handed it over (reason takeover) */
  via?: 'flag' | 'policy';
}

/** A host policy's say on a takeover (issue 12, item 1): true hands the project over without the flag. */
export type AllowTakeover = (project: string, from: ProjectSource, to: ProjectSource) => boolean;

export interface BindingInput {
  project: string;
  /** the binding as read; undefined: none yet */
  bound: ProjectSource | undefined;
  claimant: ProjectSource;
  /** --take-over-project */
  takeOver?: string;
  allowTakeover?: AllowTakeover;
  /** the project already has releases (written before bindings existed) */
  hasReleases: boolean;
}

export type BindingDecision =
  | { action: 'keep' }
  | { action: 'bind'; reason: BindReason; from?: ProjectSource; via?: 'flag' | 'policy' };

/**
 * Keep (already ours), bind (first apply, an upgrade, or a takeover), or throw E_PROJECT_BOUND
 * naming both sources. A --take-over-project naming another project is a mistake, refused.
 */
export function decideBinding(i: BindingInput): BindingDecision {
  if (i.takeOver !== undefined && i.takeOver !== i.project) {
    throw new BosunError(
      Codes.usage,
      `--take-over-project ${i.takeOver} does not name this project: the repo's project is "${i.project}"`,
      { data: { project: i.project, takeOver: i.takeOver } },
    );
  }
  if (!i.bound) return { action: 'bind', reason: i.hasReleases ? 'upgrade' : 'first' };
  if (sameSource(i.bound, i.claimant)) return { action: 'keep' };
  // only the source: the record read also holds since, by and reason
  const from = { repo: i.bound.repo, path: i.bound.path };
  if (i.takeOver === i.project) return { action: 'bind', reason: 'takeover', from, via: 'flag' };
  if (i.allowTakeover?.(i.project, from, i.claimant))
    return { action: 'bind', reason: 'takeover', from, via: 'policy' };
  throw projectBound(i.project, i.bound, i.claimant);
}

export function sameSource(a: ProjectSource, b: ProjectSource): boolean {
  return a.repo === b.repo && a.path === b.path;
}

export function projectBound(project: string, bound: ProjectSource, claimant: ProjectSource): BosunError {
  return new BosunError(
    Codes.projectBound,
    `project "${project}" is bound to ${sourceText(bound)}; this source is ${sourceText(claimant)}: refusing (hand it over with --take-over-project ${project}, or takeOver: true in a projects entry of the host policy)`,
    { data: { project, bound, claimant } },
  );
}

/** `https://host/a.git path stacks/shop`; the root as `path /`. */
export function sourceText(s: ProjectSource): string {
  return `${s.repo} path ${s.path === '' ? '/' : s.path}`;
}

/**
 * The source as the binding compares it. A URL loses its credentials (a token rotated, or given
 * as user:token or token@, is the same repo), its fragment and a trailing slash; the host is
 * lower-cased and a default port dropped (WHATWG URL). A local repo is made absolute. The path
 * loses leading `./`, and leading and trailing slashes.
 */
export function sourceOf(repo: string, folder: string | undefined): ProjectSource {
  return { repo: normalRepo(repo), path: normalFolder(folder ?? '') };
}

function normalRepo(repo: string): string {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(repo)) return path.resolve(repo);
  try {
    const u = new URL(repo);
    u.username = '';
    u.password = '';
    u.hash = '';
    return u.toString().replace(/\/+$/, '');
  } catch {
    return repo;
  }
}

function normalFolder(folder: string): string {
  const parts = folder.split('/').filter((p) => p !== '' && p !== '.');
  return parts.join('/');
}
