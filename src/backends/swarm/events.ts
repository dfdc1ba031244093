/** The manager's events that may mean drift: a service changed or removed by hand, a node lost or back. */
import type Docker from 'dockerode';
import type { EventFeed, EventHandlers, WorkloadEvent } from '../backend.ts';
import { followEvents, readEventLine } from '../docker/events.ts';

export function parseSwarmEvent(line: string, project: string): WorkloadEvent | undefined {
  const read = readEventLine(line);
  if (!read) return undefined;
  const { raw, timeMs } = read;
  const id = raw.Actor?.ID;
  const attrs = raw.Actor?.Attributes ?? {};
  if (!id || !raw.Action) return undefined;
  if (raw.Type === 'node') return { id, action: `node ${raw.Action}`, service: '(node)', name: attrs.name, timeMs };
  // service events carry no labels: the project's services are the ones named `<project>_…`
  if (raw.Type !== 'service' || !attrs.name?.startsWith(`${project}_`)) return undefined;
  return { id, action: raw.Action, service: attrs.name.slice(project.length + 1), name: attrs.name, timeMs };
}

export function watchSwarm(docker: Docker, project: string, handlers: EventHandlers): Promise<EventFeed> {
  const filters = { type: ['service', 'node'], event: ['update', 'remove'] };
  return followEvents(docker, filters, (line) => parseSwarmEvent(line, project), handlers);
}
