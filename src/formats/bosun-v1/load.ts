/**
 * The manifest layer's entry point: an Artifact → DesiredState, or one ManifestError holding
 * every issue in the repo. Pure: no I/O, so `validate`, `reconcile --dry-run` and the
 * controller all judge a revision the same way. Secret values are left sealed here (see
 * ./sealed.ts); src/secrets/resolve.ts opens them with what only the controller holds.
 */
import { ManifestError, type ManifestIssue } from '../../errors.ts';
import type { DesiredState } from '../../model/desired.ts';
import type { Artifact } from '../../ports.ts';
import type { LoadOptions } from '../format.ts';
import { crossChecks } from './check.ts';
import { documentChecks } from './check-doc.ts';
import { buildDesiredState, normalizeRelPath } from './normalize.ts';
import { parseArtifact, type ParsedFile } from './parse.ts';
import { readRepoContent } from './repo-content.ts';
import { sealConfigs } from './sealed.ts';
import { refuseSkippedManifests } from './skipped.ts';
import type { Manifest } from './types.ts';
import { compareStrings } from '../../model/sort.ts';
import { validateDocument } from './validate.ts';

/** Where issues that belong to no file are reported. */
export const ROOT_FILE = '<root>';
/** the same rule as metadata.name in schemas/ */
const NAME_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const NAME_RULE = 'must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit';
/** Each document is capped already; this bounds a repo of thousands of bad documents. */
const MAX_ISSUES = 500;

export function loadDesiredState(artifact: Artifact, opts: LoadOptions = {}): DesiredState {
  refuseSkippedManifests(artifact);
  const files = scopeToProject(parseArtifact(artifact));
  const issues: ManifestIssue[] = files.flatMap((f) => f.issues);
  // appended one by one: push(...list) passes each issue as an argument, and a flood of them
  // (one per item of a 150k-item list) overflows the stack
  const add = (list: ManifestIssue[]) => {
    for (const issue of list) issues.push(issue);
  };
  const manifests: Manifest[] = [];
  for (const src of files.flatMap((f) => f.docs)) {
    const result = validateDocument(src);
    add(result.issues);
    if (result.manifest) manifests.push(result.manifest);
  }
  add(documentChecks(manifests));
  add(crossChecks(manifests));
  const sealed = sealConfigs(manifests, artifact);
  add(sealed.issues);
  const repo = readRepoContent(manifests, artifact);
  add(repo.issues);
  const projectName = resolveProjectName(manifests, opts.project, issues);
  if (issues.length > 0 || projectName === undefined) throw new ManifestError(sortIssues(issues));
  return buildDesiredState(manifests, projectName, sealed.sealed, repo.content);
}

/**
 * When the (single) Project lists `spec.paths`, only files under them count, plus the
 * Project's own file. Runs before validation so YAML elsewhere in the repo cannot fail it.
 */
function scopeToProject(files: ParsedFile[]): ParsedFile[] {
  const projects = files.flatMap((f) => f.docs).filter((d) => d.value.kind === 'Project');
  if (projects.length !== 1) return files;
  const project = projects[0]!;
  const paths = (project.value.spec as { paths?: unknown } | null | undefined)?.paths;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) return files;
  const roots = paths.map(normalizeRelPath);
  const inScope = (rel: string) => roots.some((root) => root === '' || rel === root || rel.startsWith(`${root}/`));
  return files.filter((f) => f.rel === project.rel || inScope(f.rel));
}

function resolveProjectName(
  manifests: Manifest[],
  override: string | undefined,
  issues: ManifestIssue[],
): string | undefined {
  const rootIssue = (message: string) => issues.push({ file: ROOT_FILE, line: 1, col: 1, path: '', message });
  if (override !== undefined) {
    if (NAME_PATTERN.test(override)) return override;
    rootIssue(`--project "${override}" ${NAME_RULE}`);
    return undefined;
  }
  const project = manifests.find((m) => m.kind === 'Project');
  // an invalid Project already has its own issue
  if (project) return project.name;
  rootIssue('a Project manifest or --project is required');
  return undefined;
}

export function sortIssues(issues: ManifestIssue[]): ManifestIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = JSON.stringify([i.file, i.line, i.col, i.path, i.message]);
    return seen.has(key) ? false : (seen.add(key), true);
  });
  const text = (i: ManifestIssue) => `${i.path}\u0000${i.message}`;
  const sorted = unique.sort(
    (a, b) => compareStrings(a.file, b.file) || a.line - b.line || a.col - b.col || compareStrings(text(a), text(b)),
  );
  if (sorted.length <= MAX_ISSUES) return sorted;
  const rest = sorted.length - MAX_ISSUES;
  const last = sorted[MAX_ISSUES]!;
  return [
    ...sorted.slice(0, MAX_ISSUES),
    { ...last, path: '', message: `and ${rest} more problems in the repo (fix these first)` },
  ];
}
