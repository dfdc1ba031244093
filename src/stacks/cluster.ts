/**
 * A cluster repo at one revision, fetched once: its stacks (discovered from the layout), each
 * with the Artifact cut out of the one fetch, its project name (read leniently, as `bosun
 * releases` does) and its own Session — its own lock, releases, pin and binding.
 */
import { asBosunError, BosunError, Codes } from '../errors.ts';
import { projectNameOf } from '../formats/index.ts';
import type { Artifact } from '../ports.ts';
import type { Session } from '../session/session.ts';
import { stackArtifact } from './artifacts.ts';
import { discoverStacks, type Stack } from './discover.ts';

export interface ClusterStack extends Stack {
  artifact: Artifact;
  /** absent when the folder names no project: its pass reports why */
  project?: string;
  /** why the stack cannot run at this revision before anything is planned (no name, a name taken twice) */
  refused?: BosunError;
}

export interface Cluster {
  root: Artifact;
  stacks: ClusterStack[];
}

/** Sessions per stack folder: the source path is the folder, the store and back end are shared. */
export type SessionFor = (stackPath: string) => Session;

/** The stacks of `root`; a stack's own problems are kept on it, never thrown for the whole repo. */
export function clusterOf(root: Artifact, globs: readonly string[]): Cluster {
  const stacks: ClusterStack[] = discoverStacks(root, globs).map((s) => {
    let artifact: Artifact | undefined;
    // cut out only when read: a poll that touches no stack never builds one
    const lazy = () => (artifact ??= stackArtifact(root, s.path));
    const named = nameOf(root.trees?.get(s.path), lazy);
    const stack: ClusterStack = { ...s, ...named } as ClusterStack;
    Object.defineProperty(stack, 'artifact', { get: lazy, enumerable: true });
    return stack;
  });
  refuseSharedNames(stacks);
  return { root, stacks };
}

/** A folder's project name is a function of its tree: remembered, so a poll parses no manifest. */
const names = new Map<string, { project?: string; refused?: BosunError }>();
const MAX_NAMES = 4096;

function nameOf(tree: string | undefined, artifact: () => Artifact): { project?: string; refused?: BosunError } {
  const known = tree === undefined ? undefined : names.get(tree);
  if (known) return { ...known };
  let named: { project?: string; refused?: BosunError };
  try {
    named = { project: projectNameOf(artifact()) };
  } catch (err) {
    named = { refused: asBosunError(err) };
  }
  if (tree !== undefined) {
    if (names.size >= MAX_NAMES) names.clear();
    names.set(tree, named);
  }
  return { ...named };
}

/** Two folders naming one project would take turns replacing each other's containers. */
function refuseSharedNames(stacks: ClusterStack[]): void {
  const byName = new Map<string, ClusterStack[]>();
  for (const s of stacks) if (s.project) byName.set(s.project, [...(byName.get(s.project) ?? []), s]);
  for (const [name, same] of byName) {
    if (same.length < 2) continue;
    for (const s of same) {
      const others = same.filter((o) => o !== s).map((o) => o.path);
      s.refused = new BosunError(
        Codes.usage,
        `project "${name}" is also named by stack ${others.join(', ')}: each stack folder must name its own project`,
      );
    }
  }
}
