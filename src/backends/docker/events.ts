import type Docker from 'dockerode';
import { Label } from '../../model/labels.ts';
import type { EventFeed, EventHandlers, WorkloadEvent } from '../backend.ts';

/** What makes a managed container gone or stopped; exec_* and health noise is filtered out by the engine. */
export const DRIFT_ACTIONS = ['die', 'kill', 'destroy', 'stop', 'oom'] as const;

type EventStream = NodeJS.ReadableStream & { destroy?: () => void };

/** An event of the engine's stream as the API writes it (older engines: `status` and `id`). */
export interface RawEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  time?: number;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/** One NDJSON line of the event stream, with its time in ms; undefined when it is not JSON. */
export function readEventLine(line: string): { raw: RawEvent; timeMs: number } | undefined {
  if (line.trim() === '') return undefined;
  let raw: RawEvent;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  return { raw, timeMs: raw.timeNano ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000 };
}

/** One NDJSON line of the engine's event stream; undefined for anything that is not a container event. */
export function parseEvent(line: string): WorkloadEvent | undefined {
  const read = readEventLine(line);
  if (!read) return undefined;
  const { raw, timeMs } = read;
  const id = raw.Actor?.ID ?? raw.id;
  const action = raw.Action ?? raw.status;
  if (raw.Type !== 'container' || !id || !action) return undefined;
  const attrs = raw.Actor?.Attributes ?? {};
  return { id, action, timeMs, service: attrs[Label.service] ?? '(unknown)', name: attrs.name };
}

/** The engine's container events for one project, split into lines and parsed; rejects when it cannot be opened. */
export function watchContainers(docker: Docker, project: string, handlers: EventHandlers): Promise<EventFeed> {
  const filters = { type: ['container'], label: [`${Label.project}=${project}`], event: [...DRIFT_ACTIONS] };
  return followEvents(docker, filters, parseEvent, handlers);
}

/** Any filtered event stream of the engine, one parsed event per NDJSON line (unparsed lines dropped). */
export async function followEvents(
  docker: Docker,
  filters: Record<string, string[]>,
  parse: (line: string) => WorkloadEvent | undefined,
  handlers: EventHandlers,
): Promise<EventFeed> {
  const stream = (await docker.getEvents({ filters } as Docker.GetEventsOptions)) as EventStream;
  let buffered = '';
  let ended = false;
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const ev = parse(buffered.slice(0, nl));
      buffered = buffered.slice(nl + 1);
      if (ev) handlers.event(ev);
    }
  });
  const end = (why: string) => {
    if (ended) return;
    ended = true;
    handlers.lost(why);
  };
  stream.on('end', () => end('stream ended'));
  stream.on('close', () => end('stream closed'));
  stream.on('error', (err: Error) => end(err.message));
  return {
    close: () => {
      ended = true;
      stream.destroy?.();
    },
  };
}

/** What can change a starting container's readiness: it runs, exits, restarts or its health moves. */
const READINESS_ACTIONS = ['start', 'die', 'kill', 'stop', 'restart', 'oom', 'destroy', 'health_status'];

export interface ContainerWatch {
  /** resolves on the container's next event ('event'), after `ms` ('timeout'), or when the stream fails ('lost') */
  next(ms: number): Promise<'event' | 'timeout' | 'lost'>;
  /** the exit code of its last `die` event: a restarted container's own State no longer has it */
  lastExitCode(): number | undefined;
  close(): void;
}

/**
 * One container's state changes from the engine, replayed from `sinceMs` (the engine's clock,
 * e.g. its StartedAt) so nothing between the caller's inspect and the stream opening is missed.
 */
export async function watchContainer(docker: Docker, id: string, sinceMs: number): Promise<ContainerWatch> {
  // whole seconds, rounded down: a second more of replayed events is only an extra inspect
  const since = Math.floor(sinceMs / 1000);
  const filters = { type: ['container' as const], container: [id], event: READINESS_ACTIONS };
  const stream = (await docker.getEvents({ filters, since })) as EventStream;
  let pending = 0;
  let lost = false;
  let exitCode: number | undefined;
  let wake: (() => void) | undefined;
  let buffered = '';
  stream.on('data', (chunk: Buffer | string) => {
    buffered += chunk.toString();
    for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
      const raw = readEventLine(buffered.slice(0, nl))?.raw;
      buffered = buffered.slice(nl + 1);
      if (!raw) continue;
      pending++;
      const code = (raw.Action ?? raw.status) === 'die' ? Number(raw.Actor?.Attributes?.exitCode) : Number.NaN;
      if (Number.isInteger(code)) exitCode = code;
    }
    wake?.();
  });
  for (const ev of ['end', 'close', 'error']) {
    stream.on(ev, () => {
      lost = true;
      wake?.();
    });
  }
  return {
    async next(ms) {
      if (pending === 0 && !lost) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      if (pending > 0) {
        pending = 0;
        return 'event';
      }
      return lost ? 'lost' : 'timeout';
    },
    lastExitCode: () => exitCode,
    close: () => stream.destroy?.(),
  };
}
