/**
 * A file or folder of the repo copied into a container (bosun/v1 `spec.copies`, compose's
 * relative bind mounts `./x:/y`): read from the artifact at the revision and carried, bytes and
 * digest, in the desired state. Releases store the bytes (so a rollback needs no git), hence
 * the size limits. Shared by every format; pure.
 */
import { createHash } from 'node:crypto';
import type { RepoCopySpec } from '../model/desired.ts';
import { canonicalJson } from '../model/hash.ts';
import { compareStrings } from '../model/sort.ts';
import type { Artifact } from '../ports.ts';
import { filesUnder, pathsUnder } from './build-identity.ts';

/** What one service may copy in, all copies together. */
export const MAX_COPY_BYTES_PER_SERVICE = 1024 * 1024;
/** What a whole stack may copy in: every release holds it. */
export const MAX_COPY_BYTES_PER_STACK = 4 * 1024 * 1024;

export interface CopyRequest {
  /** relative to the artifact's folder (a key, or a folder of keys, of `artifact.files`) */
  path: string;
  target: string;
  readOnly: boolean;
}

/**
 * The copy of `req.path`: one file (content key '') or every file of the folder, or the reason
 * it cannot be copied. `source` is what the spec records: the path relative to the repo root.
 */
export function readRepoCopy(artifact: Artifact, req: CopyRequest): RepoCopySpec | string {
  const source = artifact.path === '' ? req.path : req.path === '' ? artifact.path : `${artifact.path}/${req.path}`;
  const shown = req.path === '' ? '.' : req.path;
  const file = artifact.files.get(req.path);
  const entries = file !== undefined ? new Map([['', file]]) : filesUnder(artifact.files, req.path);
  const tooLarge = (artifact.skipped ?? []).find((f) => f.path === req.path || f.path.startsWith(`${req.path}/`));
  if (tooLarge) return `"${tooLarge.path}" is too large to copy (${tooLarge.bytes} bytes)`;
  if (entries.size === 0) return `no file or folder "${shown}" in the repo at this revision`;
  const executables =
    file !== undefined
      ? new Set(artifact.executables?.has(req.path) ? [''] : [])
      : pathsUnder(artifact.executables ?? [], req.path);
  const paths = [...entries.keys()].sort(compareStrings);
  const executable = paths.filter((p) => executables.has(p));
  const spec: RepoCopySpec = {
    source,
    target: req.target,
    readOnly: req.readOnly,
    digest: copyDigest(entries, executables),
    content: Object.fromEntries(paths.map((p) => [p, Buffer.from(entries.get(p)!).toString('base64')])),
  };
  if (executable.length > 0) spec.executable = executable;
  return spec;
}

/** sha256 over every path, its executable bit and its bytes. */
export function copyDigest(entries: ReadonlyMap<string, Uint8Array>, executables: ReadonlySet<string>): string {
  const list = [...entries.keys()]
    .sort(compareStrings)
    .map((p) => [p, executables.has(p) ? 'x' : '-', createHash('sha256').update(entries.get(p)!).digest('hex')]);
  return createHash('sha256').update(canonicalJson(list)).digest('hex');
}

/** The bytes a copy puts into the container. */
export function copyBytes(copy: RepoCopySpec): number {
  return Object.values(copy.content).reduce((sum, b64) => sum + Buffer.byteLength(b64, 'base64'), 0);
}

/** `1048576` → `1 MiB`, for limit messages. */
export function mebibytes(bytes: number): string {
  const mib = bytes / (1024 * 1024);
  return `${Number.isInteger(mib) ? mib : mib.toFixed(2)} MiB`;
}
