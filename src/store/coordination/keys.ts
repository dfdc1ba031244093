import { projectPrefix } from '../layout.ts';

/** Key layout of the coordination records; store/layout.ts documents all of them together. */

export function lockKey(project: string): string {
  return `${projectPrefix(project)}lock`;
}

/** etcd3's Election named "leader" in the project's namespace puts its keys under this prefix. */
export function electionPrefix(project: string): string {
  return `${projectPrefix(project)}election/leader/`;
}

/** The embedded store has no leases: one record holds the current leader. */
export function electionRecordKey(project: string): string {
  return `${projectPrefix(project)}election/leader`;
}

export function endpointsPrefix(project: string): string {
  return `${projectPrefix(project)}endpoints/`;
}

/** `<prefix><workload id>`: a replica bosun is about to stop, for proxies to drop first (coord/drain.ts). */
export function drainingPrefix(project: string): string {
  return `${projectPrefix(project)}draining/`;
}
