/**
 * Locating the git dir of a local repository (working copy or bare) so its objects can be read
 * in place: no clone, and the working copy's files are never looked at.
 */
import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BosunError, Codes } from '../errors.ts';

async function kind(path: string): Promise<'dir' | 'file' | undefined> {
  try {
    const s = await stat(path);
    return s.isDirectory() ? 'dir' : 'file';
  } catch {
    return undefined;
  }
}

/** A `.git` file (submodule checkouts) holds `gitdir: <path>`, relative to the working copy. */
async function followGitFile(dir: string, file: string): Promise<string | undefined> {
  const match = /^gitdir:\s*(.+?)\s*$/m.exec(await readFile(file, 'utf8'));
  if (!match) return undefined;
  const target = isAbsolute(match[1]!) ? match[1]! : join(dir, match[1]!);
  return (await kind(join(target, 'objects'))) === 'dir' ? target : undefined;
}

async function isBare(dir: string): Promise<boolean> {
  return (await kind(join(dir, 'HEAD'))) === 'file' && (await kind(join(dir, 'objects'))) === 'dir';
}

export function localDir(repo: string): string {
  return resolve(repo.startsWith('file://') ? fileURLToPath(repo) : repo);
}

/**
 * The git dir for `repo`. Linked worktrees (whose objects live in a shared `commondir`) are
 * not supported: point bosun at the main working copy instead.
 */
export async function findGitdir(repo: string): Promise<string> {
  const dir = localDir(repo);
  const dotgit = join(dir, '.git');
  const dotgitKind = await kind(dotgit);
  let gitdir: string | undefined;
  if (dotgitKind === 'dir') gitdir = dotgit;
  else if (dotgitKind === 'file') gitdir = await followGitFile(dir, dotgit);
  else if (await isBare(dir)) gitdir = dir;
  if (gitdir === undefined) {
    const why = (await kind(dir)) === undefined ? 'no such directory' : 'not a git repository';
    throw new BosunError(Codes.gitFetch, `could not read ${repo}: ${why}`, { data: { repo } });
  }
  if ((await kind(join(gitdir, 'commondir'))) === 'file') {
    throw new BosunError(Codes.gitFetch, `could not read ${repo}: linked worktrees are not supported`, {
      data: { repo },
    });
  }
  return gitdir;
}
