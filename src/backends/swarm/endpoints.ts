/** Where a project's running tasks answer: the published port on each task's node. */
import type { Endpoint } from '../../model/endpoint.ts';
import type { ObservedNode, ObservedService, ObservedTask } from './model.ts';

/**
 * One endpoint per replica slot, as on one host: its lowest target port that is published, named
 * by the task id (what a drain marker names). A start-first successor shares its slot with the
 * task it replaces until the swarm shuts that one down: the newer release takes the slot.
 */
export function swarmEndpoints(services: ObservedService[], nodes: ObservedNode[]): Endpoint[] {
  const addr = new Map(nodes.map((n) => [n.id, n.addr]));
  const slots = new Map<string, Endpoint>();
  for (const s of services) {
    for (const t of s.tasks) {
      if (t.state !== 'running' || t.desiredState !== 'running') continue;
      const host = addr.get(t.nodeId);
      const port = publishedPort(s, t);
      if (!host || port === undefined) continue;
      const e: Endpoint = {
        service: s.service,
        replica: t.slot ?? 0,
        host,
        port,
        container: `${s.name}.${t.slot ?? t.id.slice(0, 12)}`,
        id: t.id,
        ...(t.release === undefined ? {} : { release: t.release }),
      };
      const key = `${e.service}/${e.replica}`;
      const held = slots.get(key);
      if (!held || rank(s, held) < rank(s, e)) slots.set(key, e);
    }
  }
  return [...slots.values()].sort(
    (a, b) => a.service.localeCompare(b.service) || a.replica - b.replica || a.host.localeCompare(b.host),
  );
}

/** The newer release first; at equal releases the task of the service's current spec. */
function rank(s: ObservedService, e: Endpoint): number {
  const current = s.tasks.find((t) => t.id === e.id)?.specHash === s.specHash;
  return (e.release ?? 0) * 2 + (current ? 1 : 0);
}

/**
 * Host mode: the task says its ports (one entry per address family, so each port may be listed
 * twice); ingress: the service's port answers on every node.
 */
function publishedPort(s: ObservedService, t: ObservedTask): number | undefined {
  const ports = (t.hostPorts.length > 0 ? t.hostPorts : s.ports).filter((p) => p.published > 0);
  return [...ports].sort((a, b) => a.target - b.target)[0]?.published;
}
