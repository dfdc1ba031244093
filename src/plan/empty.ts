import { BosunError, Codes } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';
import { isKeyOperation, type Plan } from '../model/plan.ts';

/**
 * Empty means empty on purpose (Argo CD's allowEmpty): a revision that declares no services
 * while the project has some is far more often a manifest folder that vanished (an LFS pointer,
 * a symlink, an emptied folder) than a wish to remove everything. It is refused unless the
 * Project says `allowEmpty: true`; `bosun down` is the deliberate way and never comes here.
 *
 * `running` are the services the plan would remove (read from its operations, so any back end
 * fits), `inForce` those of the release in force; pure, no I/O.
 */
export function refuseEmpty(desired: DesiredState, plan: Plan, inForce: string[]): void {
  if (desired.services.length > 0 || desired.project.allowEmpty) return;
  const running = plan.operations.flatMap((op) => (!isKeyOperation(op) && op.service ? [op.service] : []));
  const services = [...new Set([...running, ...inForce])].sort();
  if (services.length === 0) return;
  const project = desired.project.name;
  const noun = services.length === 1 ? 'service' : 'services';
  throw new BosunError(
    Codes.emptyRefused,
    `revision ${plan.revision.slice(0, 12)} of project ${project} declares no services, but the project has ${services.length} ${noun} (${services.join(', ')}): refused, nothing applied. A manifest folder that vanished looks like this; if removing every service is meant, set spec.allowEmpty: true on the Project (or run bosun down)`,
    { data: { project, revision: plan.revision, services } },
  );
}
