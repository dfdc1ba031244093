/**
 * Resident memory of a `bosun serve` process managing N containers (one service with N replicas
 * of the busybox test image), run as users run it: `node bin/bosun.js serve` on the compiled
 * build. Read from /proc/<pid>/status (VmRSS) once it converged and polled a few times, then
 * after each of several more polls: RSS moves with garbage collection, so one reading is noise.
 * Run alone: npx tsx bench/serve-memory.ts [containers] [--tsx]
 * The dashboard's share (issue 17): npx tsx bench/serve-memory.ts [containers] --dashboard
 */
import { readFile } from 'node:fs/promises';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTestImages } from '../test/helpers/docker.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { metric, startServe, status, type ServeProcess } from '../test/helpers/serve.ts';
import { type Build, compiledBuild } from './lib/build.ts';
import { cleanupBosun } from './lib/engine.ts';
import { log, median } from './lib/measure.ts';
import { benchProject } from './lib/repo.ts';
import { benchStack } from './webhook.ts';

/** Polls every 2 s, so "a few polls" takes seconds, not minutes. */
const POLL = '*/2 * * * * *';
const POLLS_BEFORE_MEASURING = 3;
const SAMPLES = 5;

export interface MemoryResult {
  /** median of the samples; max is the worst one */
  rssMb: number;
  maxRssMb: number;
  samples: number[];
  /** median duration of the sampled poll passes (all no-ops) */
  pollMs: number;
  /** V8's view at the last sample (prom-client's default metrics) */
  heapUsedMb: number;
  heapTotalMb: number;
  externalMb: number;
  runtime: 'compiled' | 'tsx';
  convergeMs: number;
}

export async function vmRssMb(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(text)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Math.round((kb / 1024) * 10) / 10;
}

/**
 * A request to serve, tried again when the connection drops: on a loaded machine a keep-alive
 * connection can be closed by serve (5 s idle) just as the client reuses it (ECONNRESET).
 */
async function again<T>(fn: () => Promise<T>, tries = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i >= tries || !String((err as Error & { cause?: Error }).cause?.message).includes('ECONNRESET')) throw err;
    }
  }
}

async function converged(s: ServeProcess, sha: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await again(() => status(s))).applied?.revision !== sha) {
    if (Date.now() > deadline) throw new Error(`revision ${sha.slice(0, 12)} not applied within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function nextPoll(s: ServeProcess, deadline: number): Promise<void> {
  const polls = () => again(() => metric(s, 'bosun_reconciles_total', { trigger: 'poll' }));
  const start = await polls();
  while ((await polls()) <= start) {
    if (Date.now() > deadline) throw new Error('bosun serve stopped polling');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(s: ServeProcess): Promise<Omit<MemoryResult, 'runtime' | 'convergeMs'>> {
  const deadline = Date.now() + 180_000;
  for (let i = 0; i < POLLS_BEFORE_MEASURING; i++) await nextPoll(s, deadline);
  const samples: number[] = [];
  const passes: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    await nextPoll(s, deadline);
    samples.push(await vmRssMb(s.pid));
    passes.push((await again(() => status(s))).lastAttempt?.durationMs ?? NaN);
  }
  const mb = async (name: string) => Math.round(((await metric(s, name)) / 1048576) * 10) / 10;
  return {
    rssMb: median(samples),
    maxRssMb: Math.max(...samples),
    samples,
    pollMs: median(passes),
    heapUsedMb: await mb('nodejs_heap_size_used_bytes'),
    heapTotalMb: await mb('nodejs_heap_size_total_bytes'),
    externalMb: await mb('nodejs_external_memory_bytes'),
  };
}

/**
 * `off`: --no-ui. `visited`: every dashboard page loaded a few times (the plan page runs a dry
 * run), then one page left open: its server-sent event stream stays connected while measuring.
 * Absent: the default, the dashboard on and never opened.
 */
export type UiUse = 'off' | 'visited';

export async function benchServeMemory(opts: {
  containers: number;
  tsx?: boolean;
  ui?: UiUse;
  /** a build made by the caller (and removed by it); by default one is made for this run */
  build?: Build;
}): Promise<MemoryResult & { visitor?: Visitor }> {
  await ensureTestImages();
  const build = opts.build ?? (opts.tsx ? undefined : await compiledBuild());
  const server = await startGitServer();
  const project = benchProject('mem');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-mem-'));
  let s: ServeProcess | undefined;
  let visitor: Awaited<ReturnType<typeof visit>> | undefined;
  try {
    const repo = await server.createRepo(project, benchStack(project, 0, opts.containers));
    const args = [
      '--repo',
      repo.url,
      '--ref',
      'main',
      '--state',
      `file:${tmp}/state`,
      '--cache-dir',
      `${tmp}/cache`,
      '--poll',
      POLL,
      ...(opts.ui === 'off' ? ['--no-ui'] : []),
    ];
    const started = performance.now();
    s = await startServe(args, { BOSUN_WEBHOOK_SECRET: 'bench-secret' }, build?.bin);
    await converged(s, await repo.head(), 900_000);
    const convergeMs = performance.now() - started;
    visitor = opts.ui === 'visited' ? await visit(s.url, project) : undefined;
    const measured = await measure(s);
    return { ...measured, runtime: build ? 'compiled' : 'tsx', convergeMs, visitor: visitor?.done() };
  } finally {
    visitor?.close();
    await s?.stop();
    await cleanupBosun(project);
    await server.close();
    await fs.rm(tmp, { recursive: true, force: true });
    if (!opts.build) await build?.remove();
  }
}

export interface Visitor {
  /** page loads, each answered 200 */
  pages: number;
  /** server-sent events the open page received while serve was measured */
  events: number;
}

const PAGES = ['', 'services', 'releases', 'releases/1', 'plan'];
const VISITS = 3;

/** A person looking: each page (and the assets) loaded VISITS times, then the overview's live stream held open. */
async function visit(base: string, project: string): Promise<{ done: () => Visitor; close: () => void }> {
  let pages = 0;
  const get = async (url: string) => {
    const r = await fetch(url, { headers: { accept: 'text/html' } });
    await r.arrayBuffer();
    if (r.status !== 200) throw new Error(`GET ${url}: ${r.status}`);
    pages++;
  };
  for (let i = 0; i < VISITS; i++) {
    await get(`${base}/ui/`);
    for (const p of PAGES) await get(`${base}/ui/s/${project}/${p}`);
    for (const a of ['dashboard.css', 'dashboard.js']) await get(`${base}/ui/assets/${a}`);
  }
  const stop = new AbortController();
  const res = await fetch(`${base}/ui/s/${project}/events`, { signal: stop.signal });
  if (res.status !== 200 || !res.body) throw new Error(`event stream: ${res.status}`);
  let events = 0;
  const reading = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>)
      events += (decoder.decode(chunk, { stream: true }).match(/^event: /gm) ?? []).length;
  })().catch(() => {});
  return { done: () => ({ pages, events }), close: () => (stop.abort(), void reading) };
}

export interface DashboardMemory {
  containers: number;
  off: MemoryResult[];
  visited: (MemoryResult & { visitor?: Visitor })[];
  /** median RSS with the dashboard visited minus median RSS with --no-ui, MiB */
  deltaMb: number;
  /** median no-op poll pass, the same way */
  pollOffMs: number;
  pollVisitedMs: number;
}

/**
 * The dashboard's cost: the same stack under `serve --no-ui` and under a visited dashboard,
 * alternated (off, visited, off, visited, …) so that the machine's drift hits both alike.
 */
export async function benchDashboardMemory(opts: { containers: number; pairs: number }): Promise<DashboardMemory> {
  const off: MemoryResult[] = [];
  const visited: (MemoryResult & { visitor?: Visitor })[] = [];
  const build = await compiledBuild();
  try {
    for (let i = 0; i < opts.pairs; i++) {
      off.push(await benchServeMemory({ containers: opts.containers, ui: 'off', build }));
      log(`--no-ui: ${JSON.stringify(off.at(-1))}`);
      visited.push(await benchServeMemory({ containers: opts.containers, ui: 'visited', build }));
      log(`dashboard visited: ${JSON.stringify(visited.at(-1))}`);
    }
  } finally {
    await build.remove();
  }
  const rss = (rs: MemoryResult[]) => median(rs.flatMap((r) => r.samples));
  const poll = (rs: MemoryResult[]) => median(rs.map((r) => r.pollMs));
  return {
    containers: opts.containers,
    off,
    visited,
    deltaMb: Math.round((rss(visited) - rss(off)) * 10) / 10,
    pollOffMs: poll(off),
    pollVisitedMs: poll(visited),
  };
}

const runAlone = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (runAlone && process.argv.includes('--dashboard')) {
  const containers = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 20);
  console.log(JSON.stringify(await benchDashboardMemory({ containers, pairs: 2 })));
} else if (runAlone) {
  const containers = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 20);
  console.log(JSON.stringify(await benchServeMemory({ containers, tsx: process.argv.includes('--tsx') })));
}
