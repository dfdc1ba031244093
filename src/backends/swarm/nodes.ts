/**
 * Nodes that are not ready (pure): the swarm moves their tasks by itself, which is no drift for
 * bosun to repair, but a user must hear that a host is gone and where its replicas now run —
 * in every plan and status as a note, and in serve's /status and metrics as data.
 */
import type { NodeDown } from '../backend.ts';
import type { ObservedNode, ObservedService, SwarmObserved } from './model.ts';

export function nodesDown(observed: Pick<SwarmObserved, 'nodes' | 'services'>): NodeDown[] {
  const name = new Map(observed.nodes.map((n) => [n.id, n.hostname || n.id.slice(0, 12)]));
  return observed.nodes
    .filter((n) => n.state !== 'ready')
    .map((n) => ({
      node: name.get(n.id)!,
      ...(n.addr && { addr: n.addr }),
      state: n.state,
      moved: observed.services.flatMap((s) => movedFrom(n, s, name)),
    }));
}

export function nodeNotes(observed: SwarmObserved): string[] {
  return nodesDown(observed).map((n) => {
    const moved = n.moved.map((m) => `${m.task} → ${m.to}`);
    const where = moved.length > 0 ? `; the swarm moved its tasks: ${moved.join(', ')}` : '';
    return `node ${n.node}${n.addr ? ` (${n.addr})` : ''} is ${n.state}${where}`;
  });
}

/** `web.2` and its new node, for each replica slot that ran on the lost node and now runs on another. */
function movedFrom(node: ObservedNode, s: ObservedService, name: Map<string, string>): NodeDown['moved'] {
  const lost = new Set(s.tasks.filter((t) => t.nodeId === node.id && t.slot !== undefined).map((t) => t.slot));
  return s.tasks
    .filter((t) => lost.has(t.slot) && t.nodeId !== node.id && t.desiredState === 'running')
    .sort((a, b) => (a.slot ?? 0) - (b.slot ?? 0))
    .map((t) => ({ task: `${s.service}.${t.slot}`, to: name.get(t.nodeId) ?? t.nodeId.slice(0, 12) }));
}
