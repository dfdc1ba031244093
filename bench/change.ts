/**
 * 3. Change one service of 50 (an env value, committed to git) and converge: time, and which
 * containers were touched — it must be that service's replicas only. Same change through
 * compose (`environment:` edited, `up -d`).
 */
import { bosunFor, callSummary, type Timeline } from './lib/bosun.ts';
import { composeProject } from './lib/compose.ts';
import { cleanupBosun, idsByName, touched } from './lib/engine.ts';
import { fmtMs, log, median, repeat } from './lib/measure.ts';
import { benchProject, localRepo, repoFiles, serviceNames, serviceYaml, type ServiceDef } from './lib/repo.ts';
import type { Section } from './lib/result.ts';

const SERVICES = 50;

/** Run i changes a different service, so no run can profit from the one before. */
function changedIn(run: number): string {
  return serviceNames(SERVICES)[(run * 7) % SERVICES]!;
}

interface Side {
  samples: number[];
  /** per run, the names of the containers touched */
  touched: string[][];
}

async function bosunSide(runs: number): Promise<Side & { project: string; calls: string; timeline: Timeline }> {
  const project = benchProject('change');
  const repo = await localRepo(
    repoFiles(
      project,
      serviceNames(SERVICES).map((name) => ({ name })),
    ),
  );
  const b = await bosunFor(repo.dir);
  const label = `bosun.project=${project}`;
  const side = {
    project,
    samples: [] as number[],
    touched: [] as string[][],
    calls: '',
    timeline: { ops: [] } as Timeline,
  };
  try {
    await b.reconcile();
    side.samples = await repeat(runs, async (i) => {
      const name = changedIn(i);
      await repo.commit({ [`services/${name}.yaml`]: serviceYaml({ name, env: { BENCH_REV: String(i + 1) } }) });
      const before = await idsByName(label);
      b.docker.reset();
      const timeline: Timeline = { ops: [] };
      const { ms } = await b.reconcile(false, timeline);
      side.touched.push(touched(before, await idsByName(label)));
      if (i === 0) Object.assign(side, { calls: callSummary(b.docker.calls), timeline });
      return ms;
    });
    return side;
  } finally {
    await b.close();
    await cleanupBosun(project);
    await repo.remove();
  }
}

async function composeSide(runs: number): Promise<Side> {
  const defs: ServiceDef[] = serviceNames(SERVICES).map((name) => ({ name }));
  const p = await composeProject(benchProject('change-compose'), defs);
  const label = `com.docker.compose.project=${p.name}`;
  const side: Side = { samples: [], touched: [] };
  try {
    await p.up();
    side.samples = await repeat(runs, async (i) => {
      const name = changedIn(i);
      // earlier changes stay, as they do in the git history
      defs.find((d) => d.name === name)!.env = { BENCH_REV: String(i + 1) };
      await p.write(defs);
      const before = await idsByName(label);
      const ms = await p.up();
      side.touched.push(touched(before, await idsByName(label)));
      return ms;
    });
    return side;
  } finally {
    await p.down();
  }
}

/** Every run touched exactly the changed service's one replica, and nothing else. */
function onlyChanged(side: Side, nameOf: (service: string) => string): boolean {
  return side.touched.every((list, i) => list.length === 1 && list[0] === nameOf(changedIn(i)));
}

export async function benchChange(runs: number): Promise<Section> {
  const b = await bosunSide(runs);
  log(`change: bosun ${b.samples.map(Math.round).join(', ')} ms`);
  const c = await composeSide(runs);
  log(`change: compose ${c.samples.map(Math.round).join(', ')} ms`);
  const bOk = onlyChanged(b, (s) => `${b.project}-${s}-1`);
  const cOk = c.touched.every((list) => list.length === 1);
  const replace = b.timeline.ops.find((o) => o.kind === 'replace-container');
  const inspects = Number(/GET \/images\/[^ ]+\/json ×(\d+)/.exec(b.calls)?.[1] ?? 0);
  return {
    findings: [
      `Changing 1 of ${SERVICES} services ${bOk ? 'touched only its replica' : 'touched other containers too'} (bosun ${(median(b.samples) / median(c.samples)).toFixed(2)}× compose). ` +
        `Before the one replacement, bosun inspected an image ${inspects} time(s): ${inspects <= 1 ? "only the changed service's image is resolved (services left alone are recorded with the image their containers run)" : `more than the one image of the changed service (${b.calls})`}.`,
    ],
    name: 'Change one service of 50',
    rows: [
      {
        bench: 'change',
        case: `1 of ${SERVICES} services (env), converge`,
        bosunMs: median(b.samples),
        peerMs: median(c.samples),
        runs: `${runs} each`,
        target: "touches only that service's replicas",
        met: bOk,
        notes: `containers touched per run: bosun ${b.touched.map((t) => t.length).join(',')}; compose ${c.touched.map((t) => t.length).join(',')}${cOk ? '' : ' (compose touched others)'}`,
      },
    ],
    method: [
      `${SERVICES} one-replica services converged first (untimed). Each of ${runs} runs changes one env value of a different service, commits it (bosun) or rewrites the compose file (compose), then times \`reconcile()\` / \`up -d\`.`,
      'Touched = containers whose id changed, appeared or vanished between a snapshot before and after (by name, all containers of the project).',
      'bosun replaces with its default update policy (stop-first, parallelism 1); compose recreates the container.',
    ],
    profile: [
      `bosun, first run: plan ready at ${fmtMs(b.timeline.planAt)}, the replacement (stop, remove, create, start, running) took ${fmtMs(replace?.ms)}; Docker API calls: ${b.calls}`,
    ],
  };
}
