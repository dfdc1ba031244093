/**
 * Turning a user's ref (branch, tag, sha, HEAD) into a commit sha, reading refs and objects
 * straight from a git dir.
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import { BosunError, Codes } from '../errors.ts';
import { objectHeader } from './objects.ts';

/** A git dir plus the pack cache isomorphic-git shares between calls (packs load once). */
export interface ObjectStore {
  gitdir: string;
  cache: object;
  /** the repo as the user should see it in messages (URL without credentials, or the path) */
  display: string;
}

/** Which full ref names a short name may mean, in order: local repos vs. remote cache clones. */
export type RefLayout = 'local' | 'remote';

/**
 * The full names a ref may mean, in git's order (git rev-parse, gitrevisions(7)): a tag wins
 * over a branch of the same name. A local working copy also accepts a branch only its origin
 * has (`main` for `refs/remotes/origin/main`), last, as `git checkout` would.
 */
export function candidateRefs(ref: string, layout: RefLayout = 'remote'): string[] {
  if (ref === 'HEAD' || ref.startsWith('refs/')) return [ref];
  const names = [
    `refs/${ref}`,
    `refs/tags/${ref}`,
    `refs/heads/${ref}`,
    `refs/remotes/${ref}`,
    `refs/remotes/${ref}/HEAD`,
  ];
  return layout === 'local' ? [...names, `refs/remotes/origin/${ref}`] : names;
}

/** Refuses names that could make a ref lookup read outside the git dir. */
export function assertSaneRef(ref: string, display: string): void {
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

/** Commits and tags are a few hundred bytes; a bigger one is not read (it would be read whole). */
const MAX_COMMIT_BYTES = 1024 * 1024;

/** Follows annotated tags (possibly nested) down to the commit they name, checking each header first. */
export async function peelToCommit(store: ObjectStore, oid: string, ref: string): Promise<string | undefined> {
  let current = oid;
  for (let depth = 0; depth < 10; depth++) {
    const head = await objectHeader(store.gitdir, current);
    if (head === undefined) return undefined; // a ref (or full sha) naming an object this repo does not have
    if (head.type !== 'commit' && head.type !== 'tag') {
      throw new BosunError(Codes.gitRef, `ref "${ref}" names a ${head.type}, not a commit, in ${store.display}`);
    }
    if (head.size > MAX_COMMIT_BYTES) {
      throw new BosunError(
        Codes.gitTooLarge,
        `ref "${ref}" names a ${head.type} of ${head.size} bytes in ${store.display}; bosun reads them up to ${MAX_COMMIT_BYTES}`,
      );
    }
    if (head.type === 'commit') return current;
    const obj = await git.readObject({ fs, gitdir: store.gitdir, oid: current, cache: store.cache, format: 'parsed' });
    current = (obj.object as { object: string }).object;
  }
  throw new BosunError(Codes.gitRef, `ref "${ref}" is a chain of tags too long to follow in ${store.display}`);
}

/**
 * The commit `ref` names: in a remote cache, `fetched` is what the server advertised for it
 * (undefined when the ref is a sha, looked up among the objects fetched so far).
 */
export async function resolveCommit(
  store: ObjectStore,
  ref: string,
  layout: RefLayout,
  fetched?: string,
): Promise<string> {
  assertSaneRef(ref, store.display);
  const names = layout === 'local' ? candidateRefs(ref, layout) : [];
  for (const oid of fetched ? [fetched] : []) {
    const commit = await peelToCommit(store, oid, ref);
    if (commit) return commit;
  }
  for (const name of names) {
    const oid = await tryResolve(store, name);
    const commit = oid && (await peelToCommit(store, oid, ref));
    if (commit) return commit;
  }
  const expanded = fetched === undefined ? await tryExpandSha(store, ref) : undefined;
  const commit = expanded && (await peelToCommit(store, expanded, ref));
  if (commit) return commit;
  if (ref === 'HEAD') {
    const branches = await git.listBranches({ fs, gitdir: store.gitdir }).catch(() => [] as string[]);
    throw danglingHead(`the HEAD of ${store.display}`, branches);
  }
  throw new BosunError(Codes.gitRef, `ref "${ref}" not found in ${store.display}`, { data: { ref } });
}

/** A HEAD naming a branch that does not exist: `git init --bare` on Debian names master, then main is pushed. */
export function danglingHead(head: string, branches: string[]): BosunError {
  const which = branches.length > 0 ? `its branches: ${branches.join(', ')}` : 'it has no branches';
  return new BosunError(
    Codes.gitRef,
    `${head} names no branch that exists (${which}); pass --ref with a branch or tag`,
    {
      data: { ref: 'HEAD', branches },
    },
  );
}
