/**
 * Hosts of a cluster back end that are down, in /status and metrics. Read from the manager when
 * asked (a /status request, a scrape), as the rest of the live status: the swarm moves tasks by
 * itself, so nothing bosun runs would notice a lost host otherwise.
 */
import { Gauge, type Registry } from 'prom-client';
import type { Backend, NodeDown } from '../backends/backend.ts';
import { errorFields } from './log.ts';

/** The nodes down, or why they could not be read (a manager that does not answer). */
export async function readNodesDown(
  backend: Backend,
  project: string,
): Promise<{ nodesDown?: NodeDown[]; nodesError?: string }> {
  if (!backend.nodesDown) return {};
  try {
    return { nodesDown: await backend.nodesDown(project) };
  } catch (err) {
    return { nodesError: errorFields(err).message };
  }
}

/**
 * bosun_nodes_down{project} and bosun_tasks_moved{project}, read at each scrape. A failed read
 * leaves the gauges out of that scrape rather than reporting a healthy 0.
 */
export function nodeGauges(registry: Registry, backend: Backend, project: string): void {
  if (!backend.nodesDown) return;
  const read = () => backend.nodesDown!(project).catch(() => undefined);
  const gauge = (name: string, help: string, value: (nodes: NodeDown[]) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['project'] as const,
      registers: [registry],
      async collect() {
        this.reset();
        const nodes = await read();
        if (nodes) this.set({ project }, value(nodes));
      },
    });
  gauge('bosun_nodes_down', 'Hosts of the cluster that are not ready', (n) => n.length);
  gauge('bosun_tasks_moved', "The project's replicas that ran on a host now down and run on another", (n) =>
    n.reduce((sum, x) => sum + x.moved.length, 0),
  );
}
