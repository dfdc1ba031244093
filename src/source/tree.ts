/**
 * Reading the committed files under a folder of a commit's tree: only what git stores counts,
 * so a working copy's uncommitted edits can never leak into a deployment.
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { BosunError, Codes } from '../errors.ts';
import type { Artifact } from '../ports.ts';
import { objectHeader } from './objects.ts';
import type { ObjectStore } from './refs.ts';

/**
 * Bigger files are not kept in memory. They are listed as skipped instead: a manifest left out
 * would look deleted, and its services pruned, so the format reading the repo refuses it.
 */
export const MAX_FILE_BYTES = 10 * 1024 * 1024;

const MODE_FILE = '100644';
const MODE_EXECUTABLE = '100755';

/** `/examples/cluster-repo/` → `examples/cluster-repo`; '' for the root. */
export function normalizePath(path: string | undefined): string {
  const parts = (path ?? '').split(/[\\/]+/).filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) {
    throw new BosunError(Codes.gitPath, `path "${path}" must stay inside the repository (no "..")`);
  }
  return parts.join('/');
}

/** The tree oid of `path` inside the commit, or undefined when it is missing or not a folder. */
export async function folderTree(store: ObjectStore, commit: string, path: string): Promise<string | undefined> {
  try {
    const { oid } = await git.readTree({
      fs,
      gitdir: store.gitdir,
      oid: commit,
      filepath: path === '' ? undefined : path,
      cache: store.cache,
    });
    return oid;
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'NotFoundError' || code === 'ObjectTypeError') return undefined;
    throw err;
  }
}

/**
 * Depth-first, sequential: blobs come from packs already in memory, so parallelism buys little.
 * A subfolder whose tree oid `previous` read already is copied from it, not read again: a push
 * that touched one stack of a cluster repo reads that stack's blobs only.
 */
async function collect(
  store: ObjectStore,
  treeOid: string,
  prefix: string,
  out: Folder,
  previous?: Folder,
): Promise<void> {
  const { tree } = await git.readTree({ fs, gitdir: store.gitdir, oid: treeOid, cache: store.cache });
  for (const entry of tree) {
    const rel = prefix === '' ? entry.path : `${prefix}/${entry.path}`;
    if (entry.type === 'tree') {
      out.trees.set(rel, entry.oid);
      if (previous?.trees.get(rel) === entry.oid) reuse(previous, rel, out);
      else await collect(store, entry.oid, rel, out, previous);
    } else if (entry.type === 'blob' && (entry.mode === MODE_FILE || entry.mode === MODE_EXECUTABLE)) {
      // Symlinks (120000) and submodules (type commit) are skipped: neither holds manifest text.
      // the size from the object's header: a blob too big to keep is never inflated at all
      const head = await objectHeader(store.gitdir, entry.oid);
      if (head && head.size > MAX_FILE_BYTES) {
        out.skipped.push({ path: rel, bytes: head.size });
        continue;
      }
      const { blob } = await git.readBlob({ fs, gitdir: store.gitdir, oid: entry.oid, cache: store.cache });
      if (blob.byteLength > MAX_FILE_BYTES) out.skipped.push({ path: rel, bytes: blob.byteLength });
      else out.files.set(rel, blob);
      // the one mode bit git keeps: an image built or a folder copied from the repo needs it
      if (entry.mode === MODE_EXECUTABLE) out.executables.add(rel);
    }
  }
}

/** Everything `from` holds under the subfolder `rel`, into `out`. */
function reuse(from: Folder, rel: string, out: Folder): void {
  const under = `${rel}/`;
  for (const [path, bytes] of from.files) if (path.startsWith(under)) out.files.set(path, bytes);
  for (const f of from.skipped) if (f.path.startsWith(under)) out.skipped.push({ ...f });
  for (const [path, oid] of from.trees) if (path.startsWith(under)) out.trees.set(path, oid);
  for (const path of from.executables) if (path.startsWith(under)) out.executables.add(path);
}

/** What an Artifact holds of a folder's content. */
export type Folder = Required<Pick<Artifact, 'files' | 'skipped' | 'trees'>> & { executables: Set<string> };

/**
 * Every regular file under `path` at `commit`, keyed relative to `path`, and those too large
 * to read. `ref` only serves the error message; `previous` is this folder read at another commit.
 */
export async function readFolder(
  store: ObjectStore,
  commit: string,
  path: string,
  ref: string,
  previous?: Folder,
): Promise<Folder> {
  const treeOid = await folderTree(store, commit, path);
  if (treeOid === undefined) {
    throw new BosunError(
      Codes.gitPath,
      `path "${path}" not found in ${store.display} at ${ref} (${commit.slice(0, 7)})`,
      { data: { path, ref, revision: commit } },
    );
  }
  const out: Folder = { files: new Map(), skipped: [], executables: new Set(), trees: new Map() };
  await collect(store, treeOid, '', out, previous);
  return out;
}
