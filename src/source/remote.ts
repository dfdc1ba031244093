/**
 * The bare cache clone of a remote repository: created once under the cache dir, then brought
 * up to date with incremental fetches of the one ref being deployed, so a poll that finds
 * nothing new costs one round trip and a push to another branch costs nothing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import { BosunError, Codes } from '../errors.ts';
import { objectHeader } from './objects.ts';
import { fetchError, scrubUrl, urlSecrets } from './redact.ts';
import { assertSaneRef, candidateRefs, danglingHead } from './refs.ts';
import { advertisedRefs, fetchObject, localHaves, remoteOf, type ServerRef } from './upload-pack.ts';

/** `<cacheDir>/<first 16 hex of sha256(url)>`: stable per URL, safe as a directory name. */
export function cachePath(cacheDir: string, url: string): string {
  return join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 16));
}

/** The stored URL is scrubbed so no credential lands on disk. */
async function ensureBareRepo(gitdir: string, url: string): Promise<void> {
  await mkdir(gitdir, { recursive: true });
  await git.init({ fs, gitdir, dir: gitdir, bare: true, defaultBranch: 'main' });
  if ((await git.getConfig({ fs, gitdir, path: 'remote.origin.url' })) !== scrubUrl(url)) {
    await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: scrubUrl(url) });
  }
}

/**
 * Two fetches into one cache at once would race on refs and packs: calls for the same cache
 * dir in this process run one after the other, and across processes (a `bosun serve` and a
 * CLI reconcile share the default cache) they take a lock file beside the cache.
 */
const inFlight = new Map<string, Promise<unknown>>();

async function serialized<T>(key: string, work: () => Promise<T>): Promise<T> {
  const previous = inFlight.get(key) ?? Promise.resolve();
  const locked = () => acrossProcesses(key, work);
  const run = previous.then(locked, locked);
  const settled = run.catch(() => undefined);
  inFlight.set(key, settled);
  try {
    return await run;
  } finally {
    if (inFlight.get(key) === settled) inFlight.delete(key);
  }
}

/** A stale lock (its process died) is taken over after 10 s; waiting retries for about a minute. */
async function acrossProcesses<T>(gitdir: string, work: () => Promise<T>): Promise<T> {
  await mkdir(gitdir, { recursive: true });
  // loaded with the first remote fetch: a local repo (validate, a pre-commit hook) never locks
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(gitdir, {
    lockfilePath: `${gitdir}.lock`,
    stale: 10_000,
    retries: { retries: 120, minTimeout: 50, maxTimeout: 500 },
  });
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}

/** The server ref a user's ref names, in git's order (a tag before a branch of the same name). */
export function pickServerRef(refs: readonly ServerRef[], ref: string): ServerRef | undefined {
  const byName = new Map(refs.map((r) => [r.ref, r]));
  for (const name of candidateRefs(ref)) {
    const found = byName.get(name);
    if (found) return found;
  }
  return undefined;
}

export interface Synced {
  gitdir: string;
  /** what the server advertised for the ref; absent when the ref is a sha, found among the objects */
  fetched?: string;
}

/** Which server ref to fetch for `ref`; for a sha not advertised, the default branch (it is probably on it). */
async function chooseWant(
  gitdir: string,
  url: string,
  refs: ServerRef[],
  ref: string,
): Promise<Synced & { want?: ServerRef }> {
  const found = pickServerRef(refs, ref);
  if (found) return { gitdir, fetched: found.oid, want: found };
  if (ref === 'HEAD') {
    const branches = refs.filter((r) => r.ref.startsWith('refs/heads/')).map((r) => r.ref.slice('refs/heads/'.length));
    throw danglingHead(`the remote HEAD of ${scrubUrl(url)}`, branches);
  }
  if (!/^[0-9a-fA-F]{4,40}$/.test(ref)) {
    throw new BosunError(Codes.gitRef, `ref "${ref}" not found in ${scrubUrl(url)}`, { data: { ref } });
  }
  if (ref.length === 40 && (await objectHeader(gitdir, ref.toLowerCase()))) return { gitdir };
  return { gitdir, want: pickServerRef(refs, 'HEAD') };
}

/**
 * Brings the cache for `url` up to date with the one ref `ref` names on the server and returns
 * its git dir with the oid fetched. Refs are read from the server each time, so a moved tag is seen.
 */
export async function syncCache(
  url: string,
  cacheDir: string,
  token: string | undefined,
  ref: string,
): Promise<Synced> {
  assertSaneRef(ref, scrubUrl(url));
  const gitdir = cachePath(cacheDir, url);
  return serialized(gitdir, async () => {
    try {
      await ensureBareRepo(gitdir, url);
      const remote = remoteOf(url, token);
      const refs = await advertisedRefs(remote);
      const { want, ...synced } = await chooseWant(gitdir, url, refs, ref);
      if (want && !(await objectHeader(gitdir, want.oid))) {
        await fetchObject(remote, gitdir, want.oid, await localHaves(gitdir));
      }
      // kept under the server's name, so the next fetch can say it has it
      const name = want?.target ?? want?.ref;
      if (want && name?.startsWith('refs/'))
        await git.writeRef({ fs, gitdir, ref: name, value: want.oid, force: true });
      return synced;
    } catch (err) {
      if (err instanceof BosunError) throw err;
      throw fetchError(url, err, [token, ...urlSecrets(url)]);
    }
  });
}
