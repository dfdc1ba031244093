/**
 * `npm run bench [-- cold noop change dryrun fetch webhook memory dashboard stacks compose cli swarm] [--quick] [--write]`
 * Runs the chosen benchmarks (all by default), prints a table, and writes bench/RESULTS.md when
 * every benchmark ran (or with --write). A section with its own table (cli) that ran without the
 * others, not --quick, replaces only its own part of RESULTS.md. Never part of `npm test`.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { ensureTestImages } from '../test/helpers/docker.ts';
import { benchChange } from './change.ts';
import { benchCli } from './cli.ts';
import { benchCold } from './cold.ts';
import { benchComposeDryrun } from './compose-dryrun.ts';
import { benchDryrun } from './dryrun.ts';
import { benchFetch } from './fetch.ts';
import { loadAverage, machine } from './lib/machine.ts';
import { fmtMs, log } from './lib/measure.ts';
import { markdown, splice, textTable } from './lib/report.ts';
import type { Row, Section } from './lib/result.ts';
import { sweep } from './lib/sweep.ts';
import { benchNoop } from './noop.ts';
import { benchDashboardMemory, benchServeMemory, type DashboardMemory, type MemoryResult } from './serve-memory.ts';
import { benchWebhook } from './webhook.ts';
import { benchStacks, stacksSection } from './stacks.ts';
import { benchSwarm, swarmSection } from './swarm.ts';

const ALL = [
  'cold',
  'noop',
  'change',
  'dryrun',
  'fetch',
  'webhook',
  'memory',
  'dashboard',
  'stacks',
  'compose',
  'cli',
  'swarm',
] as const;
type Name = (typeof ALL)[number];

/** Full runs keep the whole bench under ~15 minutes on 2 cores; --quick is for trying changes. */
function plan(quick: boolean): Record<Name, () => Promise<Section>> {
  return {
    cold: () => benchCold(quick ? 2 : 5),
    noop: () =>
      benchNoop(quick ? [20, 100] : [20, 100, 500], {
        bosun: quick ? 3 : 9,
        compose: (n) => (quick ? 2 : n >= 500 ? 3 : 5),
        cli: 3,
      }),
    change: () => benchChange(quick ? 2 : 5),
    dryrun: () => benchDryrun(quick ? [100, 1000] : [100, 1000, 5000], (n) => (quick ? 2 : n >= 5000 ? 3 : 5)),
    fetch: () => benchFetch(quick ? 3 : 7),
    webhook: served('webhook', 'webhook.ts', { runs: quick ? 2 : 5 }, benchWebhook, webhookRows),
    memory: served('memory', 'serve-memory.ts', { containers: quick ? 20 : 500 }, benchServeMemory, memoryRows),
    dashboard: served(
      'dashboard',
      'serve-memory.ts',
      { containers: 20, pairs: quick ? 1 : 2 },
      benchDashboardMemory,
      dashboardRows,
    ),
    stacks: async () => stacksSection(await benchStacks(quick ? 2 : 5, quick ? 10 : 50)),
    compose: () => benchComposeDryrun(quick ? 3 : 7, 100),
    cli: () =>
      benchCli(
        quick
          ? { runs: 3, cold: 2, containers: 20, services: 1000 }
          : { runs: 5, cold: 3, containers: 500, services: 1000 },
      ),
    // on the 3-engine harness (root): 20 services, as issue 15 asks
    swarm: async () => swarmSection(await benchSwarm(quick ? 1 : 3, 20)),
  };
}

function webhookRows(r: { p50Ms: number; p95Ms: number; samples: number[] }): Row[] {
  return [
    {
      bench: 'webhook',
      case: 'push webhook → converged (1 service replaced)',
      bosunMs: r.p50Ms,
      runs: `${r.samples.length}`,
      notes: `p95 ${fmtMs(r.p95Ms)}`,
    },
  ];
}

function memoryRows(r: MemoryResult, args: { containers?: number }): Row[] {
  const notes = `${r.rssMb} MiB = ${(r.rssMb * 1.048576).toFixed(1)} MB (max ${r.maxRssMb}; samples ${r.samples.join(', ')}); V8 heap ${r.heapUsedMb} used / ${r.heapTotalMb} total, external ${r.externalMb} MiB; no-op poll pass ${fmtMs(r.pollMs)}; ${r.runtime} build`;
  // the target is in MB; RSS is reported in MiB (1 MiB = 1.048576 MB)
  const target = args.containers === 500 ? { target: '< 100 MB', met: r.rssMb * 1.048576 < 100 } : {};
  return [
    {
      bench: 'memory',
      case: `bosun serve RSS, ${args.containers} containers`,
      runs: `${r.samples.length} samples`,
      ...target,
      notes,
    },
  ];
}

function dashboardRows(r: DashboardMemory): Row[] {
  const rss = (rs: MemoryResult[]) => rs.map((x) => x.rssMb).join(', ');
  const seen = r.visited.map((v) => `${v.visitor?.pages} pages, ${v.visitor?.events} events`).join('; ');
  return [
    {
      bench: 'dashboard',
      case: `serve RSS: dashboard visited + live stream open vs --no-ui, ${r.containers} containers`,
      runs: `${r.off.length} pairs`,
      target: '< 10 MB',
      met: r.deltaMb * 1.048576 < 10,
      notes: `+${r.deltaMb} MiB (median of all samples; run medians --no-ui ${rss(r.off)}, visited ${rss(r.visited)} MiB; ${seen})`,
    },
    {
      bench: 'dashboard',
      case: 'no-op poll pass in serve, visited vs --no-ui',
      bosunMs: r.pollVisitedMs,
      peerMs: r.pollOffMs,
      runs: `${r.off.length} pairs × 5 passes`,
      notes: 'peer: the same serve with --no-ui',
    },
  ];
}

/** The webhook and memory benches time a serve process from outside; runOne reports their failures. */
function served<A extends object, R>(
  name: string,
  file: string,
  args: A,
  run: (a: A) => Promise<R>,
  rows: (r: R, a: A) => Row[],
): () => Promise<Section> {
  return async () => ({
    name: `${name} (bench/${file})`,
    rows: rows(await run(args), args),
    method: [`${run.name}(${JSON.stringify(args)}) from bench/${file}; see that file.`],
    profile: [],
  });
}

/** A bench that fails (an engine restarted under it) is reported as failed; the others still run. */
async function runOne(name: Name, bench: () => Promise<Section>): Promise<Section> {
  const load = `load average (1/5/15 min) when it started: ${loadAverage()}`;
  try {
    const section = await bench();
    return { ...section, method: [...section.method, load] };
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!.slice(0, 300);
    log(`${name} failed: ${message}`);
    return { name, rows: [{ bench: name, case: 'failed', runs: '0', notes: message }], method: [], profile: [] };
  }
}

function parseArgs(argv: string[]): { names: Name[]; quick: boolean; write: boolean } {
  const unknown = argv.filter((a) => !a.startsWith('--') && !(ALL as readonly string[]).includes(a));
  if (unknown.length > 0) throw new Error(`unknown bench ${unknown.join(', ')}: choose from ${ALL.join(' ')}`);
  const names = argv.filter((a): a is Name => (ALL as readonly string[]).includes(a));
  const all = names.length === 0;
  return {
    names: all ? [...ALL] : names,
    quick: argv.includes('--quick'),
    write: argv.includes('--write') || (all && !argv.includes('--quick')),
  };
}

async function main(): Promise<void> {
  const { names, quick, write } = parseArgs(process.argv.slice(2));
  const loadAtStart = loadAverage();
  const started = performance.now();
  await ensureTestImages();
  const benches = plan(quick);
  const sections: Section[] = [];
  const leftovers: string[] = [];
  for (const name of names) {
    log(`running ${name}`);
    sections.push(await runOne(name, benches[name]));
    leftovers.push(...(await sweep()));
  }
  if (leftovers.length > 0) log(`could not remove everything: ${leftovers.join('; ')}`);
  const totalMs = performance.now() - started;
  console.log(`\n${textTable(sections)}\n\ntotal ${fmtMs(totalMs)}`);
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  if (!write) return spliceOwn(sections, quick, loadAtStart, command);
  const findings = sections.flatMap((s) => s.findings ?? []);
  await writeFile(
    new URL('./RESULTS.md', import.meta.url),
    markdown(await machine(loadAtStart), sections, { command, totalMs, findings, leftovers }),
  );
  log('wrote bench/RESULTS.md');
}

/** Sections with their own table replace their part of RESULTS.md; quick runs write nothing. */
async function spliceOwn(sections: Section[], quick: boolean, loadAtStart: string, command: string): Promise<void> {
  const own = sections.filter((s) => s.ownTable && !s.rows.some((r) => r.case === 'failed'));
  if (quick || own.length === 0) return;
  const file = new URL('./RESULTS.md', import.meta.url);
  let text = await readFile(file, 'utf8');
  for (const s of own) text = splice(text, s, await machine(loadAtStart), command);
  await writeFile(file, text);
  log(`replaced ${own.map((s) => s.name).join(', ')} in bench/RESULTS.md`);
}

process.once('SIGINT', () => void sweep().finally(() => process.exit(130)));
// an engine that goes away mid-request can surface as an unhandled rejection: report, do not die
process.on('unhandledRejection', (err) => log(`unhandled: ${(err as Error)?.message ?? String(err)}`));
await main();
