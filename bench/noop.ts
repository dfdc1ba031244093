/**
 * 2. No-op reconcile with 20, 100 and 500 managed containers vs `docker-compose up -d` with
 * nothing to do. The Docker API calls of one no-op are counted: the number must not grow with
 * the number of containers.
 */
import { bosunFor, callSummary } from './lib/bosun.ts';
import { cpuProfile } from './lib/cpu.ts';
import { composeProject } from './lib/compose.ts';
import { cleanupBosun, runningCount } from './lib/engine.ts';
import { fmtMs, log, median, repeat } from './lib/measure.ts';
import { cliWallMs, listResponseBytes, phaseMedians, type Phases } from './lib/profile.ts';
import { benchProject, localRepo, repoFiles, serviceNames } from './lib/repo.ts';
import type { Row, Section } from './lib/result.ts';

export interface NoopRuns {
  bosun: number;
  /** compose's no-op takes seconds at 500: fewer runs there */
  compose: (containers: number) => number;
  /** CLI wall time is measured at the smallest size only */
  cli: number;
}

interface BosunSide {
  convergeMs: number;
  samples: number[];
  calls: string[];
  kvCalls: string[];
  phases: Phases;
  listBytes: number;
  /** self time by file/package over 3 no-op reconciles */
  cpu: string;
  cli?: { reconcile: number; version: number };
}

async function bosunSide(n: number, runs: NoopRuns, withCli: boolean): Promise<BosunSide> {
  const project = benchProject('noop');
  const repo = await localRepo(
    repoFiles(
      project,
      serviceNames(n).map((name) => ({ name })),
    ),
  );
  const b = await bosunFor(repo.dir);
  try {
    const converge = await b.reconcile();
    const running = await runningCount(`bosun.project=${project}`);
    if (running !== n) throw new Error(`converge left ${running}/${n} running`);
    log(`noop ${n}: bosun converged in ${Math.round(converge.ms)} ms`);
    await b.reconcile(); // warm-up: JIT and caches, as in a long-running controller
    const counted = { docker: [] as string[], kv: [] as string[] };
    const samples = await repeat(runs.bosun, async (i) => {
      b.docker.reset();
      b.kvCalls.length = 0;
      const { ms, result } = await b.reconcile();
      if (result.plan.operations.length > 0)
        throw new Error(`no-op reconcile planned ${result.plan.operations.length} operations`);
      if (i === 0) Object.assign(counted, { docker: [...b.docker.calls], kv: [...b.kvCalls] });
      return ms;
    });
    const phases = await phaseMedians(b, runs.bosun);
    const listBytes = await listResponseBytes(`bosun.project=${project}`);
    const cpu = await cpuProfile(async () => {
      for (let i = 0; i < 3; i++) await b.reconcile();
    });
    const cli = withCli ? await cliTimes(b.source.repo, b.stateDir, b.source.cacheDir, runs.cli) : undefined;
    return {
      convergeMs: converge.ms,
      samples,
      calls: counted.docker,
      kvCalls: counted.kv,
      phases,
      listBytes,
      cpu,
      cli,
    };
  } finally {
    await b.close();
    await cleanupBosun(project);
    await repo.remove();
  }
}

async function cliTimes(repo: string, stateDir: string, cacheDir: string, runs: number) {
  const args = ['reconcile', '--repo', repo, '--state', `file:${stateDir}/state`, '--cache-dir', cacheDir];
  const reconcile = median(await repeat(runs, () => cliWallMs(args)));
  const version = median(await repeat(runs, () => cliWallMs(['--version'])));
  return { reconcile, version };
}

async function composeSide(n: number, runs: number): Promise<{ upMs: number; samples: number[] }> {
  const p = await composeProject(
    benchProject('noop-compose'),
    serviceNames(n).map((name) => ({ name })),
  );
  try {
    const upMs = await p.up();
    log(`noop ${n}: compose up in ${Math.round(upMs)} ms`);
    return { upMs, samples: await repeat(runs, () => p.up()) };
  } finally {
    await p.down();
  }
}

function profileLine(n: number, s: BosunSide): string {
  const p = s.phases;
  const phases = Object.entries(p)
    .map(([k, v]) => `${k} ${fmtMs(v)}`)
    .join(', ');
  const kv = callSummary(s.kvCalls);
  return `${n} containers: ${phases}; list response ${(s.listBytes / 1024).toFixed(0)} KiB; Docker API calls per no-op: ${s.calls.length} (${callSummary(s.calls)}); store calls: ${s.kvCalls.length} (${kv})`;
}

/** The largest size decides the target; its phases say where the time goes. */
function noopFindings(n: number, s: BosunSide, ms: number): string[] {
  const calls = `${s.calls.length} Docker API calls per no-op at every size (${callSummary(s.calls)})`;
  const writes = s.kvCalls.filter((c) => c.startsWith('put') || c === 'delete').length;
  const verdict = ms < 150 ? `meets < 150 ms: ${fmtMs(ms)}` : `misses < 150 ms: ${fmtMs(ms)}`;
  const { fetch, validate, observe, plan } = s.phases;
  const rest = Math.max(0, ms - (fetch + validate + observe + plan));
  return [
    `No-op at ${n} containers ${verdict}; ${calls}; ${s.kvCalls.length} store calls (${callSummary(s.kvCalls)}), ${writes} writes: a pass with nothing to apply plans without the apply lock.`,
    `Phases: fetch ${fmtMs(fetch)} (ref resolve and the folder's tree oid; the files are reused while it is unchanged), validate ${fmtMs(validate)} (the desired state is reused by tree oid too), ` +
      `observe ${fmtMs(observe)} (list containers ${fmtMs(s.phases['list containers'])}: the engine answers ${(s.listBytes / 1024).toFixed(0)} KiB, mostly the bosun.spec labels), plan ${fmtMs(plan)}; the rest (ping, pin, release check) ${rest < 5 ? 'is within noise of 0' : fmtMs(rest)}.`,
  ];
}

/** A side that failed (compose timing out at 500, an engine restart) costs its row, not the section. */
async function attempt<T>(what: string, fn: () => Promise<T>): Promise<T | Error> {
  try {
    return await fn();
  } catch (err) {
    log(`${what} failed: ${(err as Error).message}`);
    return err as Error;
  }
}

type ComposeSide = Awaited<ReturnType<typeof composeSide>>;

function sizeRows(n: number, b: BosunSide | Error, c: ComposeSide | Error, cliRuns: number): Row[] {
  const peerMs = c instanceof Error ? undefined : median(c.samples);
  const peerRuns = c instanceof Error ? `failed: ${c.message.slice(0, 160)}` : `${c.samples.length}`;
  if (b instanceof Error)
    return [
      { bench: 'noop', case: `${n} containers`, peerMs, runs: '0', notes: `bosun failed: ${b.message.slice(0, 200)}` },
    ];
  const bosunMs = median(b.samples);
  const target = n === 500 ? { target: '< 150 ms, fixed API calls', met: bosunMs < 150 } : {};
  const rows: Row[] = [
    {
      bench: 'noop',
      case: `${n} containers`,
      bosunMs,
      peerMs,
      runs: `${b.samples.length} / ${peerRuns}`,
      ...target,
      notes: `${b.calls.length} Docker API calls`,
    },
  ];
  if (b.cli) {
    const notes = `node+tsx startup alone (\`bosun --version\`): ${fmtMs(b.cli.version)}`;
    rows.push({
      bench: 'noop',
      case: `${n} containers, CLI \`bosun reconcile\` wall time`,
      bosunMs: b.cli.reconcile,
      peerMs,
      runs: `${cliRuns}`,
      notes,
    });
  }
  return rows;
}

function sizeProfile(n: number, b: BosunSide | Error, c: ComposeSide | Error): string[] {
  const converge = `${n} containers: converge (untimed setup) bosun ${b instanceof Error ? 'failed' : fmtMs(b.convergeMs)}, compose ${c instanceof Error ? 'failed' : fmtMs(c.upMs)}`;
  if (b instanceof Error) return [converge];
  return [profileLine(n, b), `${n} containers, CPU profile of 3 no-ops: ${b.cpu}`, converge];
}

export async function benchNoop(sizes: number[], runs: NoopRuns): Promise<Section> {
  const rows: Row[] = [];
  const profile: string[] = [];
  const findings: string[] = [];
  const calls = new Set<number>();
  for (const n of sizes) {
    const b = await attempt(`noop ${n} bosun`, () => bosunSide(n, runs, n === sizes[0]));
    const c = await attempt(`noop ${n} compose`, () => composeSide(n, runs.compose(n)));
    rows.push(...sizeRows(n, b, c, runs.cli));
    profile.push(...sizeProfile(n, b, c));
    if (b instanceof Error) continue;
    calls.add(b.calls.length);
    if (n === sizes[sizes.length - 1]) findings.push(...noopFindings(n, b, median(b.samples)));
  }
  profile.push(
    calls.size === 1
      ? `Docker API calls per no-op are the same at every size: ${[...calls][0]}`
      : `Docker API calls per no-op differ by size: ${[...calls].join(' / ')}`,
  );
  return {
    name: 'No-op reconcile',
    rows,
    findings,
    method: [
      `Per size: bosun converges N one-replica services (untimed), one warm-up no-op, then ${runs.bosun} timed no-op \`reconcile()\` calls in the same process (a controller is long-running); then everything is removed and compose does the same with \`up -d\` (${sizes.map((n) => `${runs.compose(n)} runs at ${n}`).join(', ')}).`,
      "Docker API calls counted by wrapping the DockerRuntime's `docker.modem.dial`; store calls by a proxy around the FileKv.",
      `Phases: fetch, validate, observe, plan timed separately (${runs.bosun} runs, medians) with the same adapters; "list containers" is part of observe.`,
      `CLI: \`node bin/bosun.js reconcile\` against the same repo and state (${runs.cli} runs) at ${sizes[0]} containers.`,
      'compose runs with COMPOSE_PARALLEL_LIMIT=4096 and COMPOSE_HTTP_TIMEOUT=600: with its defaults compose 1.29 deadlocks past ~64 services (docker/compose#5864, #7486) — it hung at 100 here — and a first run at 500 failed.',
    ],
    profile,
  };
}
