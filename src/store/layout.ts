import { BosunError, Codes } from '../errors.ts';

/**
 * Everything bosun keeps for a project lives under `/bosun/<project>/`:
 *
 *   /bosun/<project>/releases/counter        last allocated release number (decimal)
 *   /bosun/<project>/releases/0000000042     release 42 as JSON (zero-padded so keys sort by number)
 *   /bosun/<project>/releases/pruned         JSON { count, gone: [[lo, hi], ...] }: what history pruning took
 *   /bosun/<project>/pin                     JSON { release, at, by, target?, down? }: see release/pin.ts
 *   /bosun/<project>/owned-keys              JSON array, sorted: Config keys bosun wrote
 *   /bosun/<project>/binding                 JSON { repo, path, since, by, reason, from? }: the source that
 *                                            owns the project (release/binding.ts, binding-record.ts)
 *
 * Coordination (src/coord/):
 *
 *   /bosun/<project>/lock                    the apply lock, JSON { holder, since }. On etcd it is
 *                                            created with a transaction (Create == 0) on the holder's
 *                                            lease, so it vanishes when the holder dies; on the
 *                                            embedded store it also carries expiresAt, host, pid and
 *                                            token, and a released lock is left with expiresAt 0
 *   /bosun/<project>/election/leader/<lease> etcd: one key per candidate (etcd3 Election "leader"),
 *                                            value = candidate name; the oldest key is the leader
 *   /bosun/<project>/election/leader         embedded store: the one leader record, shaped like the lock
 *   /bosun/stacks.<id>/election/…            the same, for the controllers of a cluster repo (serve --all):
 *                                            one election per repo and root (stacks/record.ts; no project
 *                                            name has a ".")
 *   /bosun/<project>/endpoints/<service>/<replica>
 *                                            JSON { host, port, container, id, release }: where a healthy
 *                                            replica answers; on etcd attached to the publisher's lease
 *                                            (docs/service-discovery.md)
 *   /bosun/<project>/draining/<id>           JSON { service, replica, since }: the workload with this
 *                                            id is about to be stopped; proxies drop it first. Put by
 *                                            whoever applies, pruned once its endpoint is gone
 */
export function projectPrefix(project: string): string {
  // a slash would let one project's prefix contain another's keys ("a" and "a/releases")
  if (project === '' || project.includes('/')) {
    throw new BosunError(Codes.usage, `project name "${project}" must be non-empty and contain no "/"`);
  }
  return `/bosun/${project}/`;
}
