/**
 * One fetch of the repo, many stacks: each stack's Artifact is cut out of the root artifact
 * (no second read of git), and its fingerprint — the folder's tree oid and the ids of what it
 * reads from outside — says whether a push changed anything the stack is made of.
 */
import { createHash } from 'node:crypto';
import { inputsOf } from '../formats/index.ts';
import type { Artifact } from '../ports.ts';
import type { Stack } from './discover.ts';

/** The stack's folder as an Artifact of its own, as if fetched with --path set to it. */
export function stackArtifact(root: Artifact, stack: string): Artifact {
  const under = `${stack}/`;
  const cut = <T>(m: Map<string, T>) => {
    const out = new Map<string, T>();
    for (const [k, v] of m) if (k.startsWith(under)) out.set(k.slice(under.length), v);
    return out;
  };
  const skipped = (root.skipped ?? [])
    .filter((f) => f.path.startsWith(under))
    .map((f) => ({ ...f, path: f.path.slice(under.length) }));
  return {
    repo: root.repo,
    ref: root.ref,
    revision: root.revision,
    path: root.path ? `${root.path}/${stack}` : stack,
    tree: root.trees?.get(stack),
    files: cut(root.files),
    trees: cut(root.trees ?? new Map()),
    ...(skipped.length > 0 && { skipped }),
    ...(root.signer && { signer: root.signer }),
  };
}

/** What a stack is made of at a revision: equal fingerprints, equal desired state. */
export interface Fingerprint {
  tree: string;
  /** input path (relative to the root) → its tree or content id ('absent' when missing) */
  inputs: Record<string, string>;
}

/** The format's inputs are a pure function of the folder: remembered by tree oid. */
const formatInputs = new Map<string, string[]>();
const MAX_REMEMBERED = 4096;

export function fingerprintOf(root: Artifact, stack: Stack): Fingerprint {
  const tree = root.trees?.get(stack.path) ?? 'absent';
  let fromFormat = formatInputs.get(tree);
  if (!fromFormat) {
    fromFormat = inputsOf(stackArtifact(root, stack.path));
    if (formatInputs.size >= MAX_REMEMBERED) formatInputs.clear();
    formatInputs.set(tree, fromFormat);
  }
  const inputs: Record<string, string> = {};
  for (const p of [...stack.inputs, ...fromFormat].sort()) inputs[p] = inputId(root, p);
  return { tree, inputs };
}

/** A folder's tree oid, a file's content hash; a path outside `root.path` is not readable here. */
function inputId(root: Artifact, path: string): string {
  const tree = root.trees?.get(path);
  if (tree) return tree;
  const bytes = root.files.get(path);
  if (!bytes) return 'absent';
  return createHash('sha256').update(bytes).digest('hex');
}

/** Which of the fingerprint's parts changed, or undefined when none did. */
export function changeOf(before: Fingerprint, after: Fingerprint): 'changed' | 'inputs' | undefined {
  if (before.tree !== after.tree) return 'changed';
  const keys = new Set([...Object.keys(before.inputs), ...Object.keys(after.inputs)]);
  for (const k of keys) if (before.inputs[k] !== after.inputs[k]) return 'inputs';
  return undefined;
}
