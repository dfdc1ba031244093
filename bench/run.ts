/**
 * `npm run bench [-- cold noop change dryrun fetch webhook memory] [--quick] [--write]`
 * Runs the chosen benchmarks (all by default), prints a table, and writes bench/RESULTS.md when
 * every benchmark ran (or with --write). Never part of `npm test`.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { ensureTestImages } from '../test/helpers/docker.ts';
import { benchChange } from './change.ts';
import { benchCold } from './cold.ts';
import { benchDryrun } from './dryrun.ts';
import { benchFetch } from './fetch.ts';
import { loadAverage, machine } from './lib/machine.ts';
import { fmtMs, log } from './lib/measure.ts';
import { markdown, textTable } from './lib/report.ts';
import type { Row, Section } from './lib/result.ts';
import { sweep } from './lib/sweep.ts';
import { benchNoop } from './noop.ts';
import type { MemoryResult } from './serve-memory.ts';

const ALL = ['cold', 'noop', 'change', 'dryrun', 'fetch', 'webhook', 'memory'] as const;
type Name = (typeof ALL)[number];

/** Full runs keep the whole bench under ~15 minutes on 2 cores; --quick is for trying changes. */
function plan(quick: boolean): Record<Name, () => Promise<Section>> {
  return {
    cold: () => benchCold(quick ? 2 : 5),
    noop: () => benchNoop(quick ? [20, 100] : [20, 100, 500], { bosun: quick ? 3 : 9, compose: (n) => (quick ? 2 : n >= 500 ? 3 : 5), cli: 3 }),
    change: () => benchChange(quick ? 2 : 5),
    dryrun: () => benchDryrun(quick ? [100, 1000] : [100, 1000, 5000], (n) => (quick ? 2 : n >= 5000 ? 3 : 5)),
    fetch: () => benchFetch(quick ? 3 : 7),
    webhook: () => optional('webhook', './webhook.ts', 'benchWebhook', { runs: quick ? 2 : 5 }, webhookRows),
    memory: () => optional('memory', './serve-memory.ts', 'benchServeMemory', { containers: quick ? 20 : 500 }, memoryRows),
  };
}

function webhookRows(r: { p50Ms: number; p95Ms: number; samples: number[] }): Row[] {
  return [{ bench: 'webhook', case: 'push webhook → converged (1 service replaced)', bosunMs: r.p50Ms, runs: `${r.samples.length}`, notes: `p95 ${fmtMs(r.p95Ms)}` }];
}

function memoryRows(r: MemoryResult, args: { containers?: number }): Row[] {
  const notes = `${r.rssMb} MiB (max ${r.maxRssMb}; samples ${r.samples.join(', ')}); V8 heap ${r.heapUsedMb} used / ${r.heapTotalMb} total, external ${r.externalMb} MiB; no-op poll pass ${fmtMs(r.pollMs)}; ${r.runtime} build`;
  const target = args.containers === 500 ? { target: '< 100 MB', met: r.rssMb < 100 } : {};
  return [{ bench: 'memory', case: `bosun serve RSS, ${args.containers} containers`, runs: `${r.samples.length} samples`, ...target, notes }];
}

/** Benches written by another engineer: run only when their file exists. */
async function optional<A extends object, R>(name: string, file: string, fn: string, args: A, rows: (r: R, a: A) => Row[]): Promise<Section> {
  const url = new URL(file, import.meta.url);
  const section = (r: Row[], profile: string[] = []): Section => ({ name: `${name} (bench/${file.slice(2)})`, rows: r, method: [`\`${fn}(${JSON.stringify(args)})\` from bench/${file.slice(2)}; see that file.`], profile });
  if (!existsSync(url)) return section([{ bench: name, case: 'not available', runs: '0', notes: `bench/${file.slice(2)} does not exist` }]);
  try {
    const mod = (await import(url.href)) as Record<string, (a: A) => Promise<R>>;
    return section(rows(await mod[fn]!(args), args));
  } catch (err) {
    return section([{ bench: name, case: 'failed', runs: '0', notes: (err as Error).message.split('\n')[0]!.slice(0, 200) }]);
  }
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
  return { names: all ? [...ALL] : names, quick: argv.includes('--quick'), write: argv.includes('--write') || (all && !argv.includes('--quick')) };
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
  if (!write) return;
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const findings = sections.flatMap((s) => s.findings ?? []);
  await writeFile(new URL('./RESULTS.md', import.meta.url), markdown(await machine(loadAtStart), sections, { command, totalMs, findings, leftovers }));
  log('wrote bench/RESULTS.md');
}

process.once('SIGINT', () => void sweep().finally(() => process.exit(130)));
// an engine that goes away mid-request can surface as an unhandled rejection: report, do not die
process.on('unhandledRejection', (err) => log(`unhandled: ${(err as Error)?.message ?? String(err)}`));
await main();
