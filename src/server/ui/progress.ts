import type { ServerResponse } from 'node:http';

/** One line of a running pass, as the CLI prints it. */
export interface ProgressLine {
  id: number;
  at: string;
  project: string;
  kind: 'progress' | 'notice' | 'pass';
  text: string;
  ms?: number;
}

/** Lines kept for a page opened mid-apply (and for a reconnecting stream's Last-Event-ID). */
const KEPT = 200;
/** A comment line now and then keeps proxies and the browser from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Progress lines of the passes, fanned out to server-sent event streams. Recording a line costs
 * one array push; with no page open nothing else happens, so a pass nobody watches pays nothing.
 */
export class ProgressHub {
  private readonly lines: ProgressLine[] = [];
  private readonly streams = new Set<{ res: ServerResponse; project: string }>();
  private nextId = 1;
  private keepalive: NodeJS.Timeout | undefined;

  constructor(private readonly maxStreams = 32) {}

  add(project: string, kind: ProgressLine['kind'], text: string, ms?: number): void {
    const line: ProgressLine = { id: this.nextId++, at: new Date().toISOString(), project, kind, text, ms };
    this.lines.push(line);
    if (this.lines.length > KEPT) this.lines.shift();
    for (const s of this.streams) if (s.project === project) write(s.res, line);
  }

  recent(project: string, after = 0): ProgressLine[] {
    return this.lines.filter((l) => l.project === project && l.id > after);
  }

  /** Holds `res` open as an event stream; false when too many are open already. */
  open(res: ServerResponse, project: string, lastId: number, headers: Record<string, string>): boolean {
    if (this.streams.size >= this.maxStreams) return false;
    res.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    res.write('retry: 2000\n\n');
    for (const line of this.recent(project, lastId)) write(res, line);
    const stream = { res, project };
    this.streams.add(stream);
    res.on('close', () => {
      this.streams.delete(stream);
      if (this.streams.size === 0) this.stopKeepalive();
    });
    this.keepalive ??= setInterval(() => {
      for (const s of this.streams) s.res.write(': keepalive\n\n');
    }, KEEPALIVE_MS).unref();
    return true;
  }

  /** Ends every stream (serve is stopping: open streams must not hold the listener). */
  close(): void {
    for (const s of this.streams) s.res.end();
    this.streams.clear();
    this.stopKeepalive();
  }

  private stopKeepalive(): void {
    clearInterval(this.keepalive);
    this.keepalive = undefined;
  }
}

function write(res: ServerResponse, line: ProgressLine): void {
  // JSON never holds a raw newline, so one data line carries the whole event
  res.write(`id: ${line.id}\nevent: ${line.kind}\ndata: ${JSON.stringify(line)}\n\n`);
}
