import type Docker from 'dockerode';

/**
 * Who else uses the project's networks and volumes: containers that are not among `own` (the
 * project's, by id) attached to one of `networks` or mounting one of `volumes`, stopped ones
 * included (removing their network would break their next start). One list call per kind.
 */
export async function foreignUsers(
  docker: Docker,
  own: Set<string>,
  networks: string[],
  volumes: string[],
): Promise<Record<string, string[]>> {
  const users: Record<string, string[]> = {};
  const add = (resource: string, c: Docker.ContainerInfo) => {
    if (own.has(c.Id)) return;
    const name = (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
    users[resource] = [...(users[resource] ?? []), name].sort();
  };
  const wantedNets = new Set(networks);
  const wantedVols = new Set(volumes);
  const [onNets, onVols] = await Promise.all([
    networks.length > 0 ? docker.listContainers({ all: true, filters: { network: networks } }) : [],
    volumes.length > 0 ? docker.listContainers({ all: true, filters: { volume: volumes } }) : [],
  ]);
  for (const c of onNets)
    for (const net of Object.keys(c.NetworkSettings?.Networks ?? {})) if (wantedNets.has(net)) add(net, c);
  for (const c of onVols) for (const m of c.Mounts ?? []) if (m.Name && wantedVols.has(m.Name)) add(m.Name, c);
  return users;
}
