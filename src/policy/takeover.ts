/**
 * The policy's say on a project takeover (issue 12, item 2): a `projects` entry with
 * `takeOver: true` hands its names over to its repo (and path) from whichever source holds
 * them, as `--take-over-project` does for one run. Pure: the session decides and records it.
 */
import type { AllowTakeover, ProjectSource } from '../release/binding.ts';
import type { PolicyInForce } from './defaults.ts';
import { matchesAny } from './glob.ts';

/**
 * undefined when no entry hands anything over. The source matched is the one the binding
 * records (credentials and a trailing slash dropped, a local repo made absolute, the root as ``).
 */
export function takeoverByPolicy(inForce: PolicyInForce | undefined): AllowTakeover | undefined {
  const rules = inForce?.policy.projects?.filter((r) => r.takeOver === true) ?? [];
  if (rules.length === 0) return undefined;
  return (project: string, _from: ProjectSource, to: ProjectSource) =>
    rules.some(
      (r) =>
        matchesAny(to.repo, [r.repo]) &&
        (r.path === undefined || matchesAny(to.path, [r.path])) &&
        matchesAny(project, r.names),
    );
}
