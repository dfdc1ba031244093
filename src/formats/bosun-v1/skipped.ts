import { ManifestError } from '../../errors.ts';
import type { Artifact } from '../../ports.ts';
import { isYamlFile, oversizeIssue, repoFile } from './parse.ts';

/**
 * YAML files the source left unread for their size may be manifests. Without them the repo
 * cannot be judged: its services would look deleted (and be pruned), and every other issue
 * would be an echo of the missing file (no Project, a dangling dependsOn). So they alone are
 * reported, in the order the source found them, before any file is parsed.
 */
export function refuseSkippedManifests(artifact: Artifact): void {
  const ours = (artifact.skipped ?? []).filter((f) => isYamlFile(f.path));
  if (ours.length > 0) throw new ManifestError(ours.map((f) => oversizeIssue(repoFile(artifact, f.path), f.bytes)));
}
