/**
 * Resident memory of a `bosun serve` process managing N containers (one service with N replicas
 * of the busybox test image), run as users run it: `node bin/bosun.js serve` on the compiled
 * build. Read from /proc/<pid>/status (VmRSS) once it converged and polled a few times, then
 * after each of several more polls: RSS moves with garbage collection, so one reading is noise.
 * Run alone: npx tsx bench/serve-memory.ts [containers] [--tsx]
 */
import { readFile } from 'node:fs/promises';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ensureTestImages } from '../test/helpers/docker.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { metric, startServe, status, type ServeProcess } from '../test/helpers/serve.ts';
import { compiledBuild } from './lib/build.ts';
import { cleanupBosun } from './lib/engine.ts';
import { median } from './lib/measure.ts';
import { benchProject } from './lib/repo.ts';
import { benchStack, untilApplied } from './webhook.ts';

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

async function nextPoll(s: ServeProcess, deadline: number): Promise<void> {
  const polls = () => metric(s, 'bosun_reconciles_total', { trigger: 'poll' });
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
    passes.push((await status(s)).lastAttempt?.durationMs ?? NaN);
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

export async function benchServeMemory(opts: { containers: number; tsx?: boolean }): Promise<MemoryResult> {
  await ensureTestImages();
  const build = opts.tsx ? undefined : await compiledBuild();
  const server = await startGitServer();
  const project = benchProject('mem');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-mem-'));
  let s: ServeProcess | undefined;
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
    ];
    const started = performance.now();
    s = await startServe(args, { BOSUN_WEBHOOK_SECRET: 'bench-secret' }, build?.bin);
    await untilApplied(s, await repo.head(), 900_000);
    const convergeMs = performance.now() - started;
    return { ...(await measure(s)), runtime: build ? 'compiled' : 'tsx', convergeMs };
  } finally {
    await s?.stop();
    await cleanupBosun(project);
    await server.close();
    await fs.rm(tmp, { recursive: true, force: true });
    await build?.remove();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const containers = Number(process.argv.slice(2).find((a) => !a.startsWith('--')) ?? 20);
  console.log(JSON.stringify(await benchServeMemory({ containers, tsx: process.argv.includes('--tsx') })));
}
