/**
 * 1. Cold converge: 20 services from nothing (no containers, no network, empty state store)
 * until every container runs, vs `docker-compose up -d` of the equivalent compose file, and vs
 * the engine's own floor (the same creates and starts sent straight through dockerode).
 */
import { bosunFor, callSummary, type Timeline } from './lib/bosun.ts';
import { composeProject } from './lib/compose.ts';
import { cleanupBosun, engineFloor, runningCount } from './lib/engine.ts';
import { fmtMs, log, median } from './lib/measure.ts';
import { benchProject, COMMAND, IMAGE, localRepo, repoFiles, serviceNames } from './lib/repo.ts';
import type { Section } from './lib/result.ts';

const SERVICES = 20;

export interface BosunRun {
  ms: number;
  calls: string[];
  timeline: Timeline;
}

/** One fresh project per run: nothing is reused from the run before. */
export async function bosunOnce(): Promise<BosunRun> {
  const project = benchProject('cold');
  const repo = await localRepo(
    repoFiles(
      project,
      serviceNames(SERVICES).map((name) => ({ name })),
    ),
  );
  const b = await bosunFor(repo.dir);
  try {
    const timeline: Timeline = { ops: [] };
    const { ms } = await b.reconcile(false, timeline);
    const running = await runningCount(`bosun.project=${project}`);
    if (running !== SERVICES) throw new Error(`cold converge left ${running}/${SERVICES} containers running`);
    return { ms, calls: b.docker.calls, timeline };
  } finally {
    await b.close();
    await cleanupBosun(project);
    await repo.remove();
  }
}

export async function composeOnce(): Promise<number> {
  const p = await composeProject(
    benchProject('cold-compose'),
    serviceNames(SERVICES).map((name) => ({ name })),
  );
  try {
    const ms = await p.up();
    const running = await runningCount(`com.docker.compose.project=${p.name}`);
    if (running !== SERVICES) throw new Error(`compose left ${running}/${SERVICES} containers running`);
    return ms;
  } finally {
    await p.down();
  }
}

export async function floorOnce(): Promise<number> {
  const project = benchProject('cold-floor');
  try {
    return await engineFloor(project, SERVICES, IMAGE, COMMAND);
  } finally {
    await cleanupBosun(project);
  }
}

/** Where one bosun run spent its time, from reconcile()'s own callbacks. */
function phases(run: BosunRun, total: number): string {
  const containers = run.timeline.ops.filter((o) => o.kind === 'create-container');
  const firstStart = Math.min(...containers.map((o) => o.at - o.ms));
  const lastDone = Math.max(...containers.map((o) => o.at));
  const perOp = median(containers.map((o) => o.ms));
  return [
    `fetch+validate+observe+plan ${fmtMs(run.timeline.planAt)}`,
    `images+release record+network ${fmtMs(firstStart - (run.timeline.planAt ?? 0))}`,
    `${containers.length} containers in parallel ${fmtMs(lastDone - firstStart)} (each create+start+ready: median ${fmtMs(perOp)})`,
    `release finish ${fmtMs(total - lastDone)}`,
  ].join('; ');
}

function coldFindings(b: number, c: number, f: number): string[] {
  if (b <= c / 2) return [`Cold converge meets ≤ 0.5× compose: ${(b / c).toFixed(2)}×.`];
  return [
    `Cold converge misses ≤ 0.5× compose: bosun ${fmtMs(b)} vs compose ${fmtMs(c)} (${(b / c).toFixed(2)}×). ` +
      `The engine floor (the same ${SERVICES} creates and starts sent at once through dockerode, nothing else) is ${fmtMs(f)} = ${(f / c).toFixed(2)}× compose` +
      (f > c / 2
        ? ': half of compose is less than the engine itself needs here, so no client can meet this target on this machine.'
        : '.'),
    (b - f < 0.05 * f
      ? `bosun is within noise of the floor (${fmtMs(b)} vs ${fmtMs(f)}); compose adds ${fmtMs(c - f)}.`
      : `bosun adds ${fmtMs(b - f)} to the floor; compose adds ${fmtMs(c - f)}.`) +
      " bosun's own share before the first create: one sequential image inspect per service (one per distinct image would do), the network and the release record; readiness is polled by inspect every 100 ms (the event stream would answer sooner).",
  ];
}

export async function benchCold(runs: number): Promise<Section> {
  const bosun: BosunRun[] = [];
  const peer: number[] = [];
  const floor: number[] = [];
  // interleaved, so drift in the engine's state hits all three alike
  for (let i = 0; i < runs; i++) {
    bosun.push(await bosunOnce());
    peer.push(await composeOnce());
    floor.push(await floorOnce());
    log(
      `cold ${i + 1}/${runs}: bosun ${Math.round(bosun[i]!.ms)} ms, compose ${Math.round(peer[i]!)} ms, engine floor ${Math.round(floor[i]!)} ms`,
    );
  }
  const b = median(bosun.map((r) => r.ms));
  const c = median(peer);
  const f = median(floor);
  const mid = bosun.find((r) => r.ms === b) ?? bosun[0]!;
  return {
    findings: coldFindings(b, c, f),
    name: 'Cold converge',
    rows: [
      {
        bench: 'cold',
        case: `${SERVICES} services from nothing`,
        bosunMs: b,
        peerMs: c,
        runs: `${runs} each`,
        target: '≤ 0.5× compose',
        met: b <= c / 2,
      },
      {
        bench: 'cold',
        case: `engine floor: ${SERVICES} × create+start via dockerode`,
        bosunMs: f,
        peerMs: c,
        runs: `${runs}`,
        notes: 'no client can beat this',
      },
    ],
    method: [
      `${runs} runs each, interleaved bosun / compose / engine floor; every run a new project, a new local git repo and an empty FileKv store.`,
      'bosun: in-process `reconcile()` from fetch until every container runs and the release is recorded (no healthcheck: bosun waits for "running"; compose `up -d` returns after start).',
      'compose: `docker-compose -p <unique> up -d` of an equivalent compose file (same image, command, stop_grace_period, restart policy, default network).',
      'engine floor: create the network, then the same 20 create+start calls all at once through dockerode.',
      'Not timed: creating the repo/compose file, cleanup (force-remove in parallel, `docker-compose down`).',
    ],
    profile: [
      `bosun phases (median run): ${phases(mid, mid.ms)}`,
      `Docker API calls, one cold run: ${mid.calls.length} (${callSummary(mid.calls)})`,
      `bosun − engine floor = ${fmtMs(b - f)}; compose − engine floor = ${fmtMs(c - f)} (medians of separate runs: a negative difference is noise)`,
    ],
  };
}
