/**
 * Whether one revision's history holds another: a deployed branch that moved to a commit not
 * containing the last applied one was force-pushed (rewritten), not advanced. Read from the
 * same object store the fetch filled, so no network; the branch's whole history is fetched
 * (never shallow), so a missing parent means the answer is unknown, not "no".
 */
import fs from 'node:fs';
import git from 'isomorphic-git';
import type { GitSourceOptions } from '../ports.ts';
import { findGitdir } from './local.ts';
import { objectHeader } from './objects.ts';
import { cachePath } from './remote.ts';

/** Commits walked at most: past this the answer is "unknown" rather than a long stall. */
const MAX_COMMITS = 100_000;
/** Commits are small; one bigger than this is not read (it would be read whole). */
const MAX_COMMIT_BYTES = 1024 * 1024;

function isRemote(repo: string): boolean {
  return /^https?:\/\//i.test(repo);
}

/**
 * true: `ancestor` is `revision` or in its history; false: it is not (a rewrite); undefined:
 * cannot tell (history missing or too long). Never throws for a repo fetchArtifact just read.
 */
export async function revisionContains(
  opts: GitSourceOptions,
  revision: string,
  ancestor: string,
): Promise<boolean | undefined> {
  if (revision === ancestor) return true;
  try {
    const gitdir = isRemote(opts.repo) ? cachePath(opts.cacheDir, opts.repo) : await findGitdir(opts.repo);
    return await walk(gitdir, revision, ancestor);
  } catch {
    return undefined;
  }
}

/** Breadth-first over parents, each commit's header checked before it is read. */
async function walk(gitdir: string, from: string, target: string): Promise<boolean | undefined> {
  const cache = {};
  const seen = new Set<string>([from]);
  let queue = [from];
  while (queue.length > 0) {
    const next: string[] = [];
    for (const oid of queue) {
      const head = await objectHeader(gitdir, oid);
      if (head?.type !== 'commit' || head.size > MAX_COMMIT_BYTES) return undefined;
      const { commit } = await git.readCommit({ fs, gitdir, oid, cache });
      for (const parent of commit.parent) {
        if (parent === target) return true;
        if (seen.has(parent)) continue;
        if (seen.size >= MAX_COMMITS) return undefined;
        seen.add(parent);
        next.push(parent);
      }
    }
    queue = next;
  }
  return false;
}
