/**
 * Nodes that are not ready, said in every plan and status (pure): the swarm moves their tasks by
 * itself, which is no drift for bosun to repair, but a user must hear that a host is gone and
 * where its replicas now run.
 */
import type { ObservedNode, ObservedService, SwarmObserved } from './model.ts';

export function nodeNotes(observed: SwarmObserved): string[] {
  const name = new Map(observed.nodes.map((n) => [n.id, n.hostname || n.id.slice(0, 12)]));
  return observed.nodes
    .filter((n) => n.state !== 'ready')
    .map((n) => {
      const moved = observed.services.flatMap((s) => movedFrom(n, s, name));
      const where = moved.length > 0 ? `; the swarm moved its tasks: ${moved.join(', ')}` : '';
      return `node ${name.get(n.id)}${n.addr ? ` (${n.addr})` : ''} is ${n.state}${where}`;
    });
}

/** `web.2 → h1` for each replica slot that ran on the lost node and now runs on another. */
function movedFrom(node: ObservedNode, s: ObservedService, name: Map<string, string>): string[] {
  const lost = new Set(s.tasks.filter((t) => t.nodeId === node.id && t.slot !== undefined).map((t) => t.slot));
  return s.tasks
    .filter((t) => lost.has(t.slot) && t.nodeId !== node.id && t.desiredState === 'running')
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))
    .map((t) => `${s.service}.${t.slot} → ${name.get(t.nodeId) ?? t.nodeId.slice(0, 12)}`);
}
