/**
 * The bare cache clone of a remote repository: created once under the cache dir, then brought
 * up to date with incremental fetches, so a poll that finds nothing new costs one round trip.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import lockfile from 'proper-lockfile';
import { fetchError, scrubUrl, urlSecrets } from './redact.ts';

const FETCH_REFSPEC = '+refs/heads/*:refs/remotes/origin/*';

/** `<cacheDir>/<first 16 hex of sha256(url)>`: stable per URL, safe as a directory name. */
export function cachePath(cacheDir: string, url: string): string {
  return join(cacheDir, createHash('sha256').update(url).digest('hex').slice(0, 16));
}

/**
 * Widely accepted token form: GitHub (x-access-token), GitLab and Gitea take any username with
 * the token as password. A failed attempt cancels instead of re-asking in a loop.
 */
function authCallbacks(token: string | undefined) {
  if (!token) return {};
  return {
    onAuth: () => ({ username: 'x-access-token', password: token }),
    onAuthFailure: () => ({ cancel: true }),
  };
}

/**
 * The config is written before the first fetch: fetch needs the refspec to mirror branches
 * under refs/remotes/origin. The stored URL is scrubbed so no credential lands on disk.
 */
async function ensureBareRepo(gitdir: string, url: string): Promise<void> {
  await mkdir(gitdir, { recursive: true });
  await git.init({ fs, gitdir, dir: gitdir, bare: true, defaultBranch: 'main' });
  const refspec = await git.getConfig({ fs, gitdir, path: 'remote.origin.fetch' });
  if (refspec !== FETCH_REFSPEC) {
    await git.setConfig({ fs, gitdir, path: 'remote.origin.url', value: scrubUrl(url) });
    await git.setConfig({ fs, gitdir, path: 'remote.origin.fetch', value: FETCH_REFSPEC });
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

/**
 * Brings the cache for `url` up to date and returns its git dir. Every branch and tag is
 * mirrored (tags re-read each time, so a moved tag is seen; deleted branches are pruned).
 */
export async function syncCache(
  url: string,
  cacheDir: string,
  token: string | undefined,
  cache: object,
): Promise<string> {
  const gitdir = cachePath(cacheDir, url);
  await serialized(gitdir, async () => {
    try {
      await ensureBareRepo(gitdir, url);
      await git.fetch({
        fs,
        http,
        gitdir,
        url,
        cache,
        ref: 'HEAD',
        tags: true,
        prune: true,
        pruneTags: true,
        ...authCallbacks(token),
      });
    } catch (err) {
      throw fetchError(url, err, [token, ...urlSecrets(url)]);
    }
  });
  return gitdir;
}
