/**
 * The git source: one committed revision of a repo folder as an Artifact. Remote repos (http/s)
 * go through an incremental bare cache; local repos are read in place from their git dir.
 */
import { BosunError, Codes } from '../errors.ts';
import type { Artifact, GitSourceOptions } from '../ports.ts';
import { armorReadyFor } from '../secrets/armor.ts';
import { cachedFolder, lastFolder, rememberFolder } from './artifact-cache.ts';
import { findGitdir } from './local.ts';
import { redact, scrubUrl, urlSecrets } from './redact.ts';
import { type ObjectStore, type RefLayout, resolveCommit } from './refs.ts';
import { type Synced, syncCache } from './remote.ts';
import { readSignedCommit, verifyCommit, verifying } from './signature/verify.ts';
import { folderTree, normalizePath, readFolder } from './tree.ts';

export { cachePath } from './remote.ts';
export { MAX_FILE_BYTES, normalizePath } from './tree.ts';

/** remote repos resolve refs against what the server advertises, local ones against their own refs */
type RepoKind = RefLayout;

function repoKind(repo: string): RepoKind {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(repo)?.[1]?.toLowerCase();
  if (scheme === 'http' || scheme === 'https') return 'remote';
  if (scheme === undefined && !/^[^/]+@[^/]+:/.test(repo)) return 'local';
  if (scheme === 'file') return 'local';
  throw new BosunError(
    Codes.gitFetch,
    `could not fetch ${scrubUrl(repo)}: only http(s) URLs and local paths are supported`,
  );
}

/** The object store to read, and (remote) the oid the server advertised for the ref. */
async function openStore(opts: GitSourceOptions, kind: RepoKind, ref: string): Promise<ObjectStore & Synced> {
  const cache = {};
  if (kind === 'local') return { gitdir: await findGitdir(opts.repo), cache, display: opts.repo };
  const synced = await syncCache(opts.repo, opts.cacheDir, opts.token, ref);
  return { ...synced, cache, display: scrubUrl(opts.repo) };
}

/**
 * Fetches (or reads) `opts.repo` and returns every committed file under `opts.path` at
 * `opts.ref` (files too large to read are listed as skipped). All failures are BosunErrors:
 * E_GIT_FETCH, E_GIT_UNREACHABLE, E_GIT_REF or E_GIT_PATH.
 */
export async function fetchArtifact(opts: GitSourceOptions): Promise<Artifact> {
  const ref = opts.ref ?? 'HEAD';
  const path = normalizePath(opts.path);
  const kind = repoKind(opts.repo);
  try {
    const store = await openStore(opts, kind, ref);
    const revision = await resolveCommit(store, ref, kind, store.fetched);
    const signer = verifying(opts.verify)
      ? await verifyCommit(await readSignedCommit(store, revision, ref), opts.verify)
      : undefined;
    const signed = signer && { signer };
    const tree = await folderTree(store, revision, path);
    const known = tree === undefined ? undefined : cachedFolder(opts.repo, path, tree);
    const folder = known ?? (await readFolder(store, revision, path, ref, lastFolder(opts.repo, path)));
    if (tree !== undefined && !known) rememberFolder(opts.repo, path, tree, folder);
    // the format loads synchronously: age's armor decoder, if these files need it, loads now
    await armorReadyFor(folder.files.values());
    return { repo: opts.repo, ref, revision, path, tree, ...folder, ...signed };
  } catch (err) {
    throw asBosunError(err, opts);
  }
}

/**
 * Errors we did not foresee (a corrupt pack, a full disk) still leave as one E_GIT_FETCH line,
 * and every message is checked once more for credentials.
 */
function asBosunError(err: unknown, opts: GitSourceOptions): BosunError {
  const secrets = [opts.token, ...urlSecrets(opts.repo)];
  if (err instanceof BosunError) {
    const clean = redact(err.message, secrets);
    if (clean === err.message) return err;
    return new BosunError(err.code, clean, { data: err.data });
  }
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0];
  return new BosunError(Codes.gitFetch, redact(`could not read ${scrubUrl(opts.repo)}: ${first}`, secrets), {
    data: { repo: scrubUrl(opts.repo) },
  });
}
