import type { Artifact } from '../../ports.ts';
import { parseArtifact } from './parse.ts';
import { refuseSkippedManifests } from './skipped.ts';

/**
 * The project's name without validating the whole repo: history commands (`releases`) must keep
 * working while the repo at HEAD is broken, which is exactly when people read the history.
 */
export function readProjectName(artifact: Artifact): string | undefined {
  // the Project may be in the file that was not read: "no Project found" would send the user
  // looking for the wrong problem
  refuseSkippedManifests(artifact);
  for (const file of parseArtifact(artifact)) {
    for (const doc of file.docs) {
      const meta = doc.value.metadata as { name?: unknown } | undefined;
      if (doc.value.kind === 'Project' && typeof meta?.name === 'string') return meta.name;
    }
  }
  return undefined;
}
