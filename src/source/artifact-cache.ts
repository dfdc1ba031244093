/**
 * The files of a manifest folder, remembered by the folder's git tree oid. A tree oid names
 * its whole content (every file, name and mode below it), so a pass that finds the same oid
 * again — a poll with nothing new, a commit that touched other folders — reuses the files
 * instead of reading every blob back from the object store.
 */
import type { Folder } from './tree.ts';

/** One entry per repo and folder, and only a few of those: a controller watches one. */
const MAX_ENTRIES = 8;

interface Entry {
  tree: string;
  folder: Folder;
}

const entries = new Map<string, Entry>();

function keyOf(repo: string, path: string): string {
  return `${repo}\u0000${path}`;
}

/**
 * A copy of the folder read for `tree`, or undefined. A copy, so a caller that edits its
 * artifact's map or skipped list cannot change what the next pass reads.
 */
export function cachedFolder(repo: string, path: string, tree: string): Folder | undefined {
  const entry = entries.get(keyOf(repo, path));
  return entry?.tree === tree ? copy(entry.folder) : undefined;
}

/** The folder as last read, whatever its tree: subfolders that did not change are copied from it. */
export function lastFolder(repo: string, path: string): Folder | undefined {
  return entries.get(keyOf(repo, path))?.folder;
}

export function rememberFolder(repo: string, path: string, tree: string, folder: Folder): void {
  const key = keyOf(repo, path);
  entries.delete(key);
  entries.set(key, { tree, folder: copy(folder) });
  // Maps iterate in insertion order: the first key is the one used least recently
  while (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value!);
}

function copy(folder: Folder): Folder {
  return {
    files: new Map(folder.files),
    skipped: folder.skipped.map((f) => ({ ...f })),
    executables: new Set(folder.executables),
    trees: new Map(folder.trees),
  };
}

/** For tests: forget everything, so the next fetch reads every file. */
export function clearArtifactCache(): void {
  entries.clear();
}
