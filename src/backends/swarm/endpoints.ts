/** Where a project's running tasks answer: the published port on each task's node. */
import type { Endpoint } from '../../model/endpoint.ts';
import type { ObservedNode, ObservedService } from './model.ts';

export function swarmEndpoints(services: ObservedService[], nodes: ObservedNode[]): Endpoint[] {
  const addr = new Map(nodes.map((n) => [n.id, n.addr]));
  const out: Endpoint[] = [];
  for (const s of services) {
    for (const t of s.tasks) {
      if (t.state !== 'running' || t.desiredState !== 'running') continue;
      const host = addr.get(t.nodeId);
      if (!host) continue;
      // host mode: the task says its port; ingress: the service's port answers on every node
      const ports = t.hostPorts.length > 0 ? t.hostPorts.map((p) => p.published) : s.ports.map((p) => p.published);
      for (const port of ports.filter((p) => p > 0))
        out.push({
          service: s.service,
          replica: t.slot ?? 0,
          host,
          port,
          container: `${s.name}.${t.slot ?? t.id.slice(0, 12)}`,
        });
    }
  }
  return out.sort(
    (a, b) => a.service.localeCompare(b.service) || a.replica - b.replica || a.host.localeCompare(b.host),
  );
}
