/**
 * Turning a user's ref (branch, tag, sha, HEAD) into a commit sha, reading refs and objects
 * straight from a git dir.
 */
import fs from 'node:fs';
import git, { type ReadObjectResult } from 'isomorphic-git';
import { BosunError, Codes } from '../errors.ts';

/** A git dir plus the pack cache isomorphic-git shares between calls (packs load once). */
export interface ObjectStore {
  gitdir: string;
  cache: object;
  /** the repo as the user should see it in messages (URL without credentials, or the path) */
  display: string;
}

/** Which full ref names a short name may mean, in order: local repos vs. remote cache clones. */
export type RefLayout = 'local' | 'remote';

export function candidateRefs(ref: string, layout: RefLayout): string[] {
  if (layout === 'remote') {
    // The cache's own HEAD and refs/heads are never written: only what fetch mirrored counts.
    if (ref === 'HEAD') return ['refs/remotes/origin/HEAD'];
    if (ref.startsWith('refs/heads/')) return [`refs/remotes/origin/${ref.slice('refs/heads/'.length)}`];
    if (ref.startsWith('refs/')) return [ref];
    return [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`];
  }
  if (ref === 'HEAD' || ref.startsWith('refs/')) return [ref];
  // Branches win over same-named tags; the ref as given last covers names like `origin/main`.
  return [`refs/heads/${ref}`, `refs/tags/${ref}`, `refs/remotes/origin/${ref}`, ref];
}

/** Refuses names that could make a ref lookup read outside the git dir. */
function assertSaneRef(ref: string, display: string): void {
  const bad =
    ref === '' ||
    ref.includes('..') ||
    ref.startsWith('/') ||
    ref.includes('\\') ||
    ref.includes('//') ||
    // biome-ignore lint/suspicious/noControlCharactersInRegex: git forbids control characters (and space, DEL) in ref names
    /[\x00-\x20~^:?*[\x7f]/.test(ref) ||
    ref.endsWith('.lock') ||
    ref.endsWith('/');
  if (bad) throw new BosunError(Codes.gitRef, `ref "${ref}" is not a valid ref name (repo ${display})`);
}

async function tryResolve(store: ObjectStore, name: string): Promise<string | undefined> {
  try {
    return await git.resolveRef({ fs, gitdir: store.gitdir, ref: name });
  } catch {
    return undefined;
  }
}

async function tryExpandSha(store: ObjectStore, ref: string): Promise<string | undefined> {
  if (!/^[0-9a-fA-F]{4,40}$/.test(ref)) return undefined;
  try {
    return await git.expandOid({ fs, gitdir: store.gitdir, oid: ref.toLowerCase(), cache: store.cache });
  } catch (err) {
    if ((err as { code?: string }).code === 'AmbiguousError') {
      throw new BosunError(Codes.gitRef, `ref "${ref}" is an ambiguous abbreviated sha in ${store.display}`);
    }
    return undefined;
  }
}

/** Follows annotated tags (possibly nested) down to the commit they name. */
async function peelToCommit(store: ObjectStore, oid: string, ref: string): Promise<string | undefined> {
  let current = oid;
  for (let depth = 0; depth < 10; depth++) {
    let obj: ReadObjectResult;
    try {
      obj = await git.readObject({ fs, gitdir: store.gitdir, oid: current, cache: store.cache, format: 'parsed' });
    } catch {
      return undefined; // a ref (or full sha) naming an object this repo does not have
    }
    if (obj.type === 'commit') return current;
    if (obj.type !== 'tag') {
      throw new BosunError(Codes.gitRef, `ref "${ref}" names a ${obj.type}, not a commit, in ${store.display}`);
    }
    current = (obj.object as { object: string }).object;
  }
  throw new BosunError(Codes.gitRef, `ref "${ref}" is a chain of tags too long to follow in ${store.display}`);
}

export async function resolveCommit(store: ObjectStore, ref: string, layout: RefLayout): Promise<string> {
  assertSaneRef(ref, store.display);
  for (const name of candidateRefs(ref, layout)) {
    const oid = await tryResolve(store, name);
    const commit = oid && (await peelToCommit(store, oid, ref));
    if (commit) return commit;
  }
  const expanded = await tryExpandSha(store, ref);
  const commit = expanded && (await peelToCommit(store, expanded, ref));
  if (commit) return commit;
  throw new BosunError(Codes.gitRef, `ref "${ref}" not found in ${store.display}`, { data: { ref } });
}
