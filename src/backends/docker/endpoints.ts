import type Docker from 'dockerode';
import { dockerError } from './connect.ts';
import type { DockerRuntime } from './runtime.ts';
import { Label, projectFilter } from '../../model/labels.ts';
import type { Endpoint } from '../../model/endpoint.ts';

type Summary = Docker.ContainerInfo;

/**
 * The project's replicas that can take traffic: running and healthy, or running without a
 * healthcheck. The address is the first published port (lowest container port; a port bound
 * to every interface is published as `wildcardHost`, default 127.0.0.1); without one, the
 * container's IP on its first network and its first exposed port. Containers with neither are
 * left out, as are containers without bosun's service/replica labels. One per replica slot (the
 * newest release's), sorted by service, replica.
 */
export async function healthyEndpoints(
  runtime: DockerRuntime,
  project: string,
  opts: { wildcardHost?: string } = {},
): Promise<Endpoint[]> {
  let list: Summary[];
  try {
    list = await runtime.docker.listContainers({ filters: { ...projectFilter(project), status: ['running'] } });
  } catch (err) {
    throw dockerError(err, runtime, 'list containers');
  }
  const wildcardHost = opts.wildcardHost ?? '127.0.0.1';
  const newestFirst = list.filter(canServe).sort((a, b) => b.Created - a.Created);
  const slots = new Map<string, Endpoint>();
  for (const c of newestFirst) {
    const e = toEndpoint(c, wildcardHost);
    // a start-first successor shares its predecessor's slot until the retire: the successor
    // (the newer release) takes it once healthy, so watchers move over before the old one goes
    const slot = e && `${e.service}/${e.replica}`;
    if (e && slot && (slots.get(slot)?.release ?? 0) < (e.release ?? 1)) slots.set(slot, e);
  }
  return [...slots.values()].sort((a, b) => a.service.localeCompare(b.service) || a.replica - b.replica);
}

/** Health is only in the Status text of the list endpoint: "Up 3 seconds (healthy)". */
function canServe(c: Summary): boolean {
  return c.State === 'running' && !/\((unhealthy|health: starting)\)/.test(c.Status ?? '');
}

function toEndpoint(c: Summary, wildcardHost: string): Endpoint | undefined {
  const labels = c.Labels ?? {};
  const service = labels[Label.service];
  const replica = Number(labels[Label.replica]);
  if (!service || !Number.isSafeInteger(replica) || replica < 1) return undefined;
  const address = publishedAddress(c, wildcardHost) ?? networkAddress(c);
  if (!address) return undefined;
  const release = Number(labels[Label.release]);
  return {
    service,
    replica,
    ...address,
    container: (c.Names?.[0] ?? c.Id).replace(/^\//, ''),
    id: c.Id,
    ...(Number.isSafeInteger(release) && release > 0 ? { release } : {}),
  };
}

function publishedAddress(c: Summary, wildcardHost: string): { host: string; port: number } | undefined {
  const published = (c.Ports ?? [])
    .filter((p) => p.PublicPort > 0)
    // docker lists one entry per address family; IPv4 first, then by container port
    .sort((a, b) => a.PrivatePort - b.PrivatePort || Number(isV6(a.IP)) - Number(isV6(b.IP)));
  const first = published[0];
  if (!first) return undefined;
  const wildcard = !first.IP || first.IP === '0.0.0.0' || first.IP === '::';
  return { host: wildcard ? wildcardHost : first.IP, port: first.PublicPort };
}

/** The network the container was created on (HostConfig.NetworkMode) counts as its first. */
function networkAddress(c: Summary): { host: string; port: number } | undefined {
  const exposed = (c.Ports ?? []).map((p) => p.PrivatePort).sort((a, b) => a - b)[0];
  const networks = c.NetworkSettings?.Networks ?? {};
  const primary = networks[c.HostConfig?.NetworkMode ?? ''];
  const ip = primary?.IPAddress || Object.values(networks).find((n) => n.IPAddress)?.IPAddress;
  return exposed !== undefined && ip ? { host: ip, port: exposed } : undefined;
}

function isV6(ip: string | undefined): boolean {
  return (ip ?? '').includes(':');
}
