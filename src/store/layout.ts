import { BosunError, Codes } from '../errors.ts';

/**
 * Everything bosun keeps for a project lives under `/bosun/<project>/`:
 *
 *   /bosun/<project>/releases/counter        last allocated release number (decimal)
 *   /bosun/<project>/releases/0000000042     release 42 as JSON (zero-padded so keys sort by number)
 *   /bosun/<project>/owned-keys              JSON array, sorted: Config keys bosun wrote
 */
export function projectPrefix(project: string): string {
  // a slash would let one project's prefix contain another's keys ("a" and "a/releases")
  if (project === '' || project.includes('/')) {
    throw new BosunError(Codes.usage, `project name "${project}" must be non-empty and contain no "/"`);
  }
  return `/bosun/${project}/`;
}
