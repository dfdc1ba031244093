/**
 * The stacks of a cluster repo at one revision, from its layout: folders matched by `--stacks`
 * globs and the entries of `bosun-stacks.yaml`. Pure: it reads the root artifact's folder list
 * (`Artifact.trees`) and the layout file, nothing else.
 */
import { BosunError, Codes, ManifestError, type ManifestIssue } from '../errors.ts';
import { globToRegExp } from '../policy/glob.ts';
import type { Artifact } from '../ports.ts';
import { LAYOUT_FILE, type LayoutEntry, parseLayout } from './layout-file.ts';
import { findCycle } from './order.ts';

export interface Stack {
  /** the stack's folder, relative to the root artifact's path: its id in logs, metrics and status */
  path: string;
  /** folders of the stacks applied before it in a pass */
  dependsOn: string[];
  /** paths outside its folder (relative to the root) it reads, declared in the layout file */
  inputs: string[];
}

const GLOB_CHARS = /[*?]/;

/** Every stack the root artifact declares, sorted by folder; one error with every problem otherwise. */
export function discoverStacks(root: Artifact, globs: readonly string[]): Stack[] {
  const file = root.path ? `${root.path}/${LAYOUT_FILE}` : LAYOUT_FILE;
  const layout = root.files.get(LAYOUT_FILE);
  const entries = layout ? parseLayout(file, Buffer.from(layout).toString('utf8')) : [];
  if (globs.length === 0 && !layout)
    throw new BosunError(
      Codes.usage,
      `no stacks declared: give --stacks GLOB (e.g. 'stacks/*') or add ${file} to the repo`,
    );
  const folders = [...(root.trees ?? new Map<string, string>()).keys()];
  const issues: ManifestIssue[] = [];
  const found = new Map<string, Stack>();
  const add = (path: string, entry?: LayoutEntry) => {
    const known = found.get(path);
    const stack = known ?? { path, dependsOn: [], inputs: [] };
    if (entry) stack.dependsOn.push(...entry.dependsOn.filter((d) => !stack.dependsOn.includes(d)));
    if (entry) stack.inputs.push(...entry.inputs.filter((d) => !stack.inputs.includes(d)));
    found.set(path, stack);
  };
  for (const g of globs) for (const f of matching(folders, g)) add(f);
  entries.forEach((e, i) => {
    if (GLOB_CHARS.test(e.path)) for (const f of matching(folders, e.path)) add(f, e);
    else if (root.trees?.has(e.path)) add(e.path, e);
    else issues.push({ file, ...e.at.path, path: `stacks[${i}].path`, message: `no folder "${e.path}" in the repo` });
  });
  const stacks = outermost([...found.values()]);
  issues.push(...dependencyIssues(file, entries, stacks));
  if (issues.length > 0) throw new ManifestError(issues, { noun: 'stack layout error' });
  if (stacks.length === 0)
    throw new BosunError(
      Codes.usage,
      `no stack folders in ${root.repo} at ${root.revision.slice(0, 12)}: nothing matches ${[...globs, ...entries.map((e) => e.path)].join(', ')}`,
    );
  return stacks;
}

function matching(folders: readonly string[], glob: string): string[] {
  const re = globToRegExp(glob.replace(/\/+$/, ''));
  return folders.filter((f) => re.test(f));
}

/** A folder inside another stack's folder belongs to that stack (`stacks/**` matches both). */
function outermost(stacks: Stack[]): Stack[] {
  const paths = stacks.map((s) => s.path);
  const inner = (p: string) => paths.some((o) => o !== p && p.startsWith(`${o}/`));
  return stacks.filter((s) => !inner(s.path)).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** A dependsOn naming no stack, and a cycle, located at the entry that declared it. */
function dependencyIssues(file: string, entries: LayoutEntry[], stacks: Stack[]): ManifestIssue[] {
  const known = new Set(stacks.map((s) => s.path));
  const issues: ManifestIssue[] = [];
  entries.forEach((e, i) =>
    e.dependsOn.forEach((d, j) => {
      if (!known.has(d))
        issues.push({ file, ...e.at.dependsOn[j]!, path: `stacks[${i}].dependsOn[${j}]`, message: `no stack "${d}"` });
    }),
  );
  if (issues.length > 0) return issues;
  const cycle = findCycle(stacks);
  if (!cycle) return [];
  const i = entries.findIndex((e) => e.dependsOn.includes(cycle[1]!) && matchesEntry(e, cycle[0]!));
  const e = entries[i]!;
  const j = e.dependsOn.indexOf(cycle[1]!);
  return [
    {
      file,
      ...e.at.dependsOn[j]!,
      path: `stacks[${i}].dependsOn[${j}]`,
      message: `dependency cycle: ${cycle.join(' → ')}`,
    },
  ];
}

function matchesEntry(e: LayoutEntry, path: string): boolean {
  return e.path === path || (GLOB_CHARS.test(e.path) && globToRegExp(e.path).test(path));
}
