/**
 * The CLI as users run it (issue 16): start-up, validate, no-op and cold reconcile, a large
 * dry-run, serve's memory and readiness, each beside its peer in the same run, against the goals
 * of the issue. `npm run bench -- cli [--quick]`; alone it rewrites only the "## CLI" section of
 * RESULTS.md (spliceSection).
 */
import * as cases from './cli-cases.ts';
import { compiledBuild } from './lib/build.ts';
import { cliProfile, cpuMs } from './lib/cli-run.ts';
import { loadAverage } from './lib/machine.ts';
import { fmtMs, log, median } from './lib/measure.ts';
import type { Row, Section } from './lib/result.ts';
import { measureSize } from './dryrun.ts';
import { benchReady, readyRow } from './ready.ts';
import { benchServeMemory, type MemoryResult } from './serve-memory.ts';

export interface CliRuns {
  /** wall-time runs of every short command */
  runs: number;
  cold: number;
  /** containers for serve's RSS (500 in a full run) */
  containers: number;
  services: number;
}

const spread = (xs: number[]) => `${fmtMs(Math.min(...xs))}–${fmtMs(Math.max(...xs))}`;
const lower = (xs: number[], goal: number) => median(xs) < goal;

/** "CPU (user+sys) bosun 80 ms, peer 300 ms": what the process spent, whatever the load. */
function cpu(bosun: number[], peer: number[] | undefined): string {
  const b = cpuMs(bosun);
  const p = peer ? cpuMs(peer) : [];
  if (b.length === 0) return '';
  return `; CPU (user+sys, median) bosun ${fmtMs(median(b))}${p.length ? `, peer ${fmtMs(median(p))}` : ''}`;
}

function row(
  kase: string,
  bosun: number[],
  peer: number[] | undefined,
  target: string,
  met: boolean | undefined,
  notes: string,
): Row {
  return {
    bench: 'cli',
    case: kase,
    bosunMs: median(bosun),
    peerMs: peer && median(peer),
    runs: `${bosun.length}${peer ? ' each' : ''}`,
    target,
    met,
    notes: `bosun ${spread(bosun)}${peer ? `, peer ${spread(peer)}` : ''}${cpu(bosun, peer)}; ${notes}`,
  };
}

function memoryRow(mem: MemoryResult | Error, containers: number): Row {
  const kase = `\`bosun serve\` RSS managing ${containers} containers`;
  if (mem instanceof Error)
    return { bench: 'cli', case: kase, runs: '0', target: '< 75 MiB', notes: `failed: ${mem.message.slice(0, 200)}` };
  return {
    bench: 'cli',
    case: kase,
    runs: `${mem.samples.length} samples`,
    target: '< 75 MiB',
    met: mem.rssMb < 75,
    notes: `${mem.rssMb} MiB (samples ${mem.samples.join(', ')}); V8 heap ${mem.heapUsedMb} used / ${mem.heapTotalMb} total, external ${mem.externalMb} MiB; converged in ${fmtMs(mem.convergeMs)}; compose has no resident process`,
  };
}

/** Each figure carries the load it was measured under: the machine is shared. */
async function loaded<T>(what: string, fn: () => Promise<T>, loads: string[]): Promise<T> {
  const before = loadAverage();
  const value = await fn();
  loads.push(`${what}: load average ${before} → ${loadAverage()}`);
  log(`cli ${what} done`);
  return value;
}

export async function benchCli(r: CliRuns): Promise<Section> {
  const build = await compiledBuild();
  const loads: string[] = [];
  const profiles: string[] = [];
  const profile = (name: string) => async (args: string[]) => {
    const p = await cliProfile(build.bin, args);
    profiles.push(`\`bosun ${name}\` (one run, ${fmtMs(p.ms)} with the profiler): ${p.summary}`);
    return p.summary;
  };
  try {
    const start = await loaded('start-up', () => cases.startup(build.bin, r.runs), loads);
    await profile('--version')(['--version']);
    const validate = await loaded('validate', () => cases.validate(build.bin, r.runs), loads);
    await profile('validate')(['validate', '--repo', validate.repo, ...validate.args]).catch(() => '');
    const noop = await loaded('no-op', () => cases.noop(build.bin, r.runs, profile('reconcile (no-op, 20)')), loads);
    const cold = await loaded('cold', () => cases.cold(build.bin, r.cold), loads);
    const dry = await loaded(
      'dry-run CLI',
      () => cases.dryrun(build.bin, r.runs, r.services, profile(`reconcile --dry-run (${r.services})`)),
      loads,
    );
    const inProc = await loaded('dry-run in-process', () => measureSize(r.services, r.runs), loads);
    const ready = await loaded('readiness', () => benchReady(r.runs), loads);
    // last: the longest case, and one an engine under load can fail without costing the others
    const mem = await loaded('serve RSS', () => benchServeMemory({ containers: r.containers }), loads).catch(
      (err: Error) => err,
    );
    const rows: Row[] = [
      row(
        '`bosun --version` wall time',
        start.version,
        start.compose,
        '< 120 ms',
        lower(start.version, 120),
        `peer: \`docker-compose version --short\`; node's own start (\`node -e 0\`) ${fmtMs(median(start.node))} in the same rounds`,
      ),
      row(
        '`bosun --help` wall time',
        start.help,
        start.compose,
        '< 120 ms',
        lower(start.help, 120),
        'peer: `docker-compose version --short`',
      ),
      row(
        `\`bosun validate\` of ${cases.EXAMPLE}`,
        validate.bosun,
        validate.peer,
        '< 300 ms',
        lower(validate.bosun, 300),
        'peer: `docker-compose config -q` of the 20-service compose file',
      ),
      row(
        'CLI no-op `bosun reconcile`, 20 containers / compose no-op `up -d`',
        noop.bosun,
        noop.peer,
        '≤ 0.4× compose',
        median(noop.bosun) <= 0.4 * median(noop.peer),
        `in-process no-op ${fmtMs(median(noop.inProcess))}`,
      ),
      row(
        'CLI cold converge, 20 services / compose `up -d`',
        cold.cli,
        cold.compose,
        '≤ 0.9× compose',
        median(cold.cli) <= 0.9 * median(cold.compose),
        `in-process ${fmtMs(median(cold.inProcess))}`,
      ),
      row(
        'in-process cold converge, 20 services / engine floor',
        cold.inProcess,
        cold.floor,
        '≤ 1.05× the floor',
        median(cold.inProcess) <= 1.05 * median(cold.floor),
        'peer: the same 20 create+start sent at once through dockerode (bench/cold.ts)',
      ),
      row(
        `dry-run of a ${r.services}-service repo, in-process \`reconcile({ dryRun })\``,
        [inProc.full],
        undefined,
        '< 300 ms',
        inProc.full < 300,
        `median of ${inProc.runs}: fetch ${fmtMs(inProc.fetch)} + validate ${fmtMs(inProc.validate)} + plan ${fmtMs(inProc.plan)} (bench/dryrun.ts)`,
      ),
      row(
        `dry-run of a ${r.services}-service repo, CLI \`bosun reconcile --dry-run\``,
        dry.bosun,
        dry.peer,
        '< 300 ms',
        lower(dry.bosun, 300),
        `peer: \`docker-compose config -q\` of the same ${r.services} services; an empty repo cache each run`,
      ),
      readyRow(ready),
      memoryRow(mem, r.containers),
    ];
    return {
      name: 'CLI',
      ownTable: true,
      rows,
      method: [
        'bosun: the compiled build (bench/lib/build.ts: tsc and the generated validators, as `npm run build`) run as `node bin/bosun.js ...`, a new process per run; wall time from spawn to exit.',
        'Peers in the same run, interleaved round by round with bosun: docker-compose 1.29 (`version --short`, `config -q`, `up -d` on the equivalent compose file) and node itself.',
        `${r.runs} runs of every short command, ${r.cold} rounds of the cold converge (CLI, compose, in-process, floor); medians, with the spread in the notes.`,
        'CPU profiles: one more run of each CLI case under `node --cpu-prof`, self time by package or source file.',
        ...loads,
      ],
      profile: profiles,
      findings: [],
    };
  } finally {
    await build.remove();
  }
}
