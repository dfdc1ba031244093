/**
 * Readiness of a new container without a healthcheck: how long after the engine started it
 * bosun's `waitReady` answers, and how many inspects that took, against the polling it replaced
 * (inspect every 100 ms until running) measured in the same run. The wait begins on a created,
 * not yet started container, so the answer has to come from the engine's event stream.
 */
import Docker from 'dockerode';
import { waitReady } from '../src/backends/docker/wait-ready.ts';
import { countDockerCalls } from './lib/bosun.ts';
import { cleanupBosun, docker } from './lib/engine.ts';
import { fmtMs, log, median } from './lib/measure.ts';
import { benchProject, COMMAND, IMAGE } from './lib/repo.ts';
import type { Row } from './lib/result.ts';

/** Time between the wait starting and the container being started: long enough for a poll to spin. */
const START_AFTER_MS = 300;
const POLL_MS = 100;

export interface ReadyResult {
  /** start() answered → ready seen, ms */
  eventsMs: number[];
  pollMs: number[];
  /** inspects per wait (median) */
  eventInspects: number;
  pollInspects: number;
  /** requests made by one waitReady, by kind */
  calls: string[];
}

async function created(project: string, i: number): Promise<Docker.Container> {
  return docker.createContainer({
    name: `${project}-${i}`,
    Image: IMAGE,
    Cmd: COMMAND,
    Labels: { 'bosun.project': project },
  });
}

/** The wait that bosun ran before the event stream: inspect every 100 ms until running. */
async function pollReady(c: Docker.Container): Promise<number> {
  let inspects = 0;
  for (;;) {
    inspects++;
    if ((await c.inspect()).State.Running) return inspects;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * Starts `c` after START_AFTER_MS while `wait` runs; ms from asking for the start to the wait
 * ending (a poll can see the container running before the engine answers the start request).
 */
async function timeWait(c: Docker.Container, wait: Promise<unknown>): Promise<number> {
  await new Promise((r) => setTimeout(r, START_AFTER_MS));
  const started = performance.now();
  await c.start();
  await wait;
  return performance.now() - started;
}

export async function benchReady(runs: number): Promise<ReadyResult> {
  const project = benchProject('ready');
  // a client of its own, so its requests are counted apart from the bench's
  const engine = { docker: new Docker({ socketPath: '/var/run/docker.sock' }) };
  const counter = countDockerCalls(engine as never);
  const out: ReadyResult = { eventsMs: [], pollMs: [], eventInspects: 0, pollInspects: 0, calls: [] };
  const inspects = { events: [] as number[], poll: [] as number[] };
  try {
    for (let i = 0; i < runs; i++) {
      const a = await created(project, 2 * i);
      counter.reset();
      out.eventsMs.push(await timeWait(a, waitReady(engine.docker, a.id, 30_000)));
      inspects.events.push(counter.calls.filter((c) => c.endsWith('/json') && c.startsWith('GET /containers/')).length);
      if (i === 0) out.calls = [...counter.calls];
      const b = await created(project, 2 * i + 1);
      let n = 0;
      out.pollMs.push(
        await timeWait(
          b,
          pollReady(b).then((k) => (n = k)),
        ),
      );
      inspects.poll.push(n);
      log(
        `ready ${i + 1}/${runs}: events ${Math.round(out.eventsMs[i]!)} ms, polling ${Math.round(out.pollMs[i]!)} ms`,
      );
    }
  } finally {
    await cleanupBosun(project);
  }
  return { ...out, eventInspects: median(inspects.events), pollInspects: median(inspects.poll) };
}

export function readyRow(r: ReadyResult): Row {
  const events = r.calls.some((c) => c.startsWith('GET /events'));
  return {
    bench: 'cli',
    case: 'readiness of a new container without a healthcheck (start asked → ready seen)',
    bosunMs: median(r.eventsMs),
    peerMs: median(r.pollMs),
    runs: `${r.eventsMs.length} each`,
    target: "answered by the engine's event stream",
    met: events && r.eventInspects <= 2,
    notes:
      `peer: the 100 ms inspect polling bosun used before (same run); inspects per wait: events ${r.eventInspects}, polling ${r.pollInspects} ` +
      `(the wait begins ${START_AFTER_MS} ms before the start); one wait's requests: ${r.calls.join(', ')}; ` +
      `spread events ${fmtMs(Math.min(...r.eventsMs))}–${fmtMs(Math.max(...r.eventsMs))}`,
  };
}
