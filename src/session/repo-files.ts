import type { RepoFiles, RepoFolder } from '../backends/backend.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Artifact } from '../ports.ts';
import type { Session } from './session.ts';

/**
 * The repo's files for what the back end builds: from the artifact of the revision being
 * applied when it holds the folder, else fetched at that revision (a rollback, or the return
 * to the previous release after a failed rollout, whose image was removed since). Without a
 * repo to fetch from (a verb given no --repo) the build fails with the reason, changing nothing.
 */
export function repoFiles(session: Session, held?: Artifact): RepoFiles {
  return {
    async folder(revision: string, dir: string): Promise<RepoFolder> {
      if (held && held.revision === revision && inside(dir, held.path)) return folderOf(held, dir);
      if (!session.o.source)
        throw new BosunError(
          Codes.buildContext,
          `the build context ./${dir} at ${revision.slice(0, 12)} must be fetched from git to build its image again: give --repo`,
        );
      return folderOf(await session.fetch({ ref: revision, path: dir }), dir);
    },
  };
}

function inside(dir: string, root: string): boolean {
  return root === '' || dir === root || dir.startsWith(`${root}/`);
}

/** The files of `dir` (relative to the repo root) in an artifact that holds it, keyed relative to `dir`. */
function folderOf(artifact: Artifact, dir: string): RepoFolder {
  const below = artifact.path === '' ? dir : dir.slice(artifact.path.length).replace(/^\//, '');
  const prefix = below === '' ? '' : `${below}/`;
  const files = new Map<string, Uint8Array>();
  for (const [path, bytes] of artifact.files) if (path.startsWith(prefix)) files.set(path.slice(prefix.length), bytes);
  const executables = new Set(
    [...(artifact.executables ?? [])].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)),
  );
  return { files, executables };
}
