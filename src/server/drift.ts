import type Docker from 'dockerode';
import { Label } from '../model/labels.ts';
import { Backoff, DRIFT_BACKOFF, KeyedBackoff, STREAM_BACKOFF, type BackoffOptions } from './backoff.ts';
import type { Logger } from './log.ts';
import type { EngineEvent, OwnActivity } from './own-activity.ts';

/** What makes a managed container gone or stopped; exec_* and health noise is filtered out by the engine. */
export const DRIFT_ACTIONS = ['die', 'kill', 'destroy', 'stop', 'oom'] as const;

export interface DriftEvent extends EngineEvent {
  action: string;
  service: string;
  name?: string;
}

/** One NDJSON line of the engine's event stream; undefined for anything that is not a container event. */
export function parseEvent(line: string): DriftEvent | undefined {
  if (line.trim() === '') return undefined;
  let raw: { Type?: string; Action?: string; status?: string; id?: string; time?: number; timeNano?: number; Actor?: { ID?: string; Attributes?: Record<string, string> } };
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  const id = raw.Actor?.ID ?? raw.id;
  const action = raw.Action ?? raw.status;
  if (raw.Type !== 'container' || !id || !action) return undefined;
  const attrs = raw.Actor?.Attributes ?? {};
  const timeMs = raw.timeNano ? raw.timeNano / 1e6 : (raw.time ?? 0) * 1000;
  return { id, action, timeMs, service: attrs[Label.service] ?? '(unknown)', name: attrs.name };
}

export interface DriftWatcherOptions {
  docker: Docker;
  project: string;
  activity: OwnActivity;
  log: Logger;
  /** a managed container of `service` died or vanished, and its backoff has elapsed */
  onDrift: (service: string, ev: DriftEvent) => void;
  /** the stream came back after a gap in which events may have been lost */
  onResync: () => void;
  serviceBackoff?: BackoffOptions;
  streamBackoff?: BackoffOptions;
  now?: () => number;
}

type EventStream = NodeJS.ReadableStream & { destroy?: () => void };

/**
 * Follows the engine's container events for one project. Events bosun caused itself are dropped;
 * the rest schedule a heal per service, delayed by that service's backoff, so a crash-looping
 * container costs at most one heal per backoff step. A dropped stream is reopened with backoff.
 */
export class DriftWatcher {
  private stream: EventStream | undefined;
  private stopped = false;
  private connections = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly healTimers = new Map<string, NodeJS.Timeout>();
  private readonly perService: KeyedBackoff;
  private readonly reconnects: Backoff;
  private readonly now: () => number;

  constructor(private readonly opts: DriftWatcherOptions) {
    this.perService = new KeyedBackoff(opts.serviceBackoff ?? DRIFT_BACKOFF);
    this.reconnects = new Backoff(opts.streamBackoff ?? STREAM_BACKOFF);
    this.now = opts.now ?? Date.now;
  }

  start(): void {
    void this.connect();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    for (const t of this.healTimers.values()) clearTimeout(t);
    this.healTimers.clear();
    this.stream?.destroy?.();
    this.stream = undefined;
  }

  private async connect(): Promise<void> {
    const filters = { type: ['container' as const], label: [`${Label.project}=${this.opts.project}`], event: [...DRIFT_ACTIONS] };
    let stream: EventStream;
    try {
      stream = (await this.opts.docker.getEvents({ filters })) as EventStream;
    } catch (err) {
      return this.lost((err as Error).message);
    }
    if (this.stopped) return void stream.destroy?.();
    this.stream = stream;
    if (this.connections++ > 0) this.opts.onResync();
    this.opts.log.info({ project: this.opts.project }, 'watching container events');
    this.follow(stream);
  }

  private follow(stream: EventStream): void {
    let buffered = '';
    let ended = false;
    stream.on('data', (chunk: Buffer | string) => {
      buffered += chunk.toString();
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        this.onLine(buffered.slice(0, nl));
        buffered = buffered.slice(nl + 1);
      }
    });
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      if (this.stream === stream) this.stream = undefined;
      this.lost(why);
    };
    stream.on('end', () => end('stream ended'));
    stream.on('close', () => end('stream closed'));
    stream.on('error', (err: Error) => end(err.message));
  }

  private lost(why: string): void {
    if (this.stopped || this.reconnectTimer) return;
    const delayMs = this.reconnects.next(this.now());
    this.opts.log.warn({ reason: why, delayMs }, 'container event stream lost: reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, delayMs);
  }

  private onLine(line: string): void {
    const ev = parseEvent(line);
    if (!ev) return;
    const fields = { service: ev.service, container: ev.name ?? ev.id.slice(0, 12), action: ev.action };
    if (this.opts.activity.isOwn(ev)) return void this.opts.log.debug(fields, 'container event caused by bosun: ignored');
    if (this.healTimers.has(ev.service)) return; // a heal for this service is already on its way
    const delayMs = this.perService.next(ev.service, this.now());
    this.opts.log.info({ ...fields, delayMs }, 'drift: heal scheduled');
    this.healTimers.set(
      ev.service,
      setTimeout(() => {
        this.healTimers.delete(ev.service);
        this.opts.onDrift(ev.service, ev);
      }, delayMs),
    );
  }
}
