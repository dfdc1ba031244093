/**
 * A host path as the engine will mount it: symlinks resolved (`/var/run` is `/run` on Debian).
 * A part that does not exist yet is kept as written under its nearest existing folder, since
 * the engine creates a missing bind source as a folder there.
 */
import { realpathSync } from 'node:fs';
import path from 'node:path';

export function realHostPath(p: string): string {
  try {
    return realpathSync.native(p);
  } catch {
    const parent = path.posix.dirname(p);
    return parent === p ? p : path.posix.join(realHostPath(parent), path.posix.basename(p));
  }
}
