/**
 * Issue 13: the dry-run of a 100-service compose stack against the same stack as bosun/v1
 * manifests (written by `bosun convert`'s code from the compose stack's desired state), both
 * in-process with the real Docker back end and the embedded store. Goal: the same order of time.
 * Run alone: npx tsx bench/compose-dryrun.ts [runs] [services]
 */
import { strict as assert } from 'node:assert';
import { pathToFileURL } from 'node:url';
import type { DockerObserved } from '../src/backends/docker/model.ts';
import { plan } from '../src/backends/docker/plan/plan.ts';
import { toBosunV1 } from '../src/formats/compose/convert.ts';
import { loadDesiredState } from '../src/formats/index.ts';
import type { DesiredState } from '../src/model/desired.ts';
import type { ObservedState } from '../src/model/observed.ts';
import { clearDesiredCache } from '../src/session/desired-cache.ts';
import { clearArtifactCache } from '../src/source/artifact-cache.ts';
import { fetchArtifact } from '../src/source/git.ts';
import { bosunFor } from './lib/bosun.ts';
import { fmtMs, fmtRatio, log, median } from './lib/measure.ts';
import { benchProject, COMMAND, IMAGE, localRepo, serviceNames } from './lib/repo.ts';
import type { Section } from './lib/result.ts';

const EMPTY: ObservedState<DockerObserved> = { containers: [], networks: [], volumes: [], keys: {}, ownedKeys: [] };

/**
 * A stack as people write them: environment, healthcheck, labels, restart; every tenth service
 * with a named volume and a published port; everything after the first waits for it healthy.
 */
export function composeStack(project: string, n: number): string {
  const names = serviceNames(n);
  const lines = [`name: ${project}`, 'services:'];
  for (const [i, name] of names.entries()) {
    lines.push(
      `  ${name}:`,
      `    image: ${IMAGE}`,
      `    command: ${JSON.stringify(COMMAND)}`,
      '    restart: unless-stopped',
      '    stop_grace_period: 2s',
      '    environment:',
      `      SERVICE: ${name}`,
      // compose interpolation, not a template literal
      `      LOG_LEVEL: ${'$'}{LOG_LEVEL:-info}`,
      '    labels: { team: shop }',
      '    healthcheck:',
      '      test: ["CMD-SHELL", "true"]',
      '      interval: 5s',
    );
    if (i % 10 === 0) lines.push('    ports: ["80"]', '    volumes:', `      - ${name}-data:/data`);
    if (i > 0) lines.push('    depends_on:', `      ${names[0]}: { condition: service_healthy }`);
  }
  lines.push('volumes:', ...names.filter((_, i) => i % 10 === 0).map((name) => `  ${name}-data: {}`));
  return `${lines.join('\n')}\n`;
}

interface Timings {
  full: number;
  fetch: number;
  validate: number;
  plan: number;
  ops: number;
}

function cold(): void {
  clearArtifactCache();
  clearDesiredCache();
}

interface Subject {
  parts: { fetch: number[]; validate: number[]; plan: number[]; full: number[] };
  last?: { desired: DesiredState; ops: number };
  b: Awaited<ReturnType<typeof bosunFor>>;
  repo: Awaited<ReturnType<typeof localRepo>>;
}

async function subject(files: Record<string, string>): Promise<Subject> {
  const repo = await localRepo(files);
  return { parts: { fetch: [], validate: [], plan: [], full: [] }, b: await bosunFor(repo.dir), repo };
}

/** The same measurement as bench/dryrun.ts: the pure phases, then the whole in-process dry-run. */
async function once(s: Subject): Promise<void> {
  cold();
  let t = performance.now();
  const artifact = await fetchArtifact(s.b.source);
  s.parts.fetch.push(performance.now() - t);
  t = performance.now();
  const desired = loadDesiredState(artifact);
  s.parts.validate.push(performance.now() - t);
  t = performance.now();
  const ctx = { repo: s.repo.dir, ref: 'HEAD', revision: artifact.revision };
  s.last = { desired, ops: plan(desired, EMPTY, ctx).operations.length };
  s.parts.plan.push(performance.now() - t);
  cold();
  s.parts.full.push((await s.b.reconcile(true)).ms);
}

function timings(s: Subject): Timings {
  if (s.b.docker.calls.some((c) => !c.startsWith('GET ')))
    throw new Error(`dry-run wrote to the engine: ${s.b.docker.calls.join(', ')}`);
  const { fetch, validate, plan, full } = s.parts;
  return {
    full: median(full),
    fetch: median(fetch),
    validate: median(validate),
    plan: median(plan),
    ops: s.last!.ops,
  };
}

/**
 * Both stacks measured in turn, run after run, after one warm-up run each (not counted): the
 * code both share is compiled by then, and a change in the machine's load hits both alike.
 */
async function measureBoth(files: Record<string, string>[], runs: number): Promise<Subject[]> {
  const subjects: Subject[] = [];
  try {
    for (const f of files) subjects.push(await subject(f));
    for (const s of subjects) {
      await once(s);
      for (const list of Object.values(s.parts)) list.length = 0;
    }
    for (let i = 0; i < runs; i++) for (const s of subjects) await once(s);
    return subjects;
  } finally {
    for (const s of subjects) {
      await s.b.close();
      await s.repo.remove();
    }
  }
}

/** Locations differ by nature (compose.yaml vs the converted file); everything else must not. */
const withoutLocations = (d: DesiredState) => ({ ...d, locations: {} });

export async function benchComposeDryrun(runs: number, n = 100): Promise<Section> {
  const project = benchProject('cdry');
  const composeFiles = { 'compose.yaml': composeStack(project, n) };
  // the bosun/v1 peer is written from the compose stack's desired state, as `bosun convert` does
  const [probe] = await measureBoth([composeFiles], 0);
  const v1Files = { 'stack.bosun.yaml': toBosunV1(probe!.last!.desired, '') };
  const [c, v] = await measureBoth([composeFiles, v1Files], runs);
  assert.deepEqual(withoutLocations(v!.last!.desired), withoutLocations(c!.last!.desired), 'convert changed the stack');
  const [compose, v1] = [timings(c!), timings(v!)];
  log(`dry-run ${n}: compose ${Math.round(compose.full)} ms, bosun/v1 ${Math.round(v1.full)} ms`);
  const r = compose.full / v1.full;
  const phases = (t: Timings) =>
    `fetch ${fmtMs(t.fetch)} + validate ${fmtMs(t.validate)} + plan ${fmtMs(t.plan)}; ${t.ops} operations`;
  return {
    name: 'Compose dry-run vs bosun/v1 (bench/compose-dryrun.ts)',
    rows: [
      {
        bench: 'compose',
        case: `${n}-service compose.yaml: reconcile --dry-run (peer: the same stack as bosun/v1)`,
        bosunMs: compose.full,
        peerMs: v1.full,
        runs: `${runs} each`,
        target: 'same order of time',
        met: r < 3,
        notes: `compose: ${phases(compose)}; bosun/v1: ${phases(v1)}`,
      },
    ],
    method: [
      `A ${n}-service compose.yaml (environment with interpolation, healthcheck, labels, restart; every tenth service a named volume and a published port; every other service depends_on the first, service_healthy), committed to a local git repo.`,
      "The peer: the same stack as bosun/v1, one file written by `bosun convert`'s code (toBosunV1) from the compose stack's desired state, which loads back to the same desired state (checked).",
      'Each: the pure phases (`fetchArtifact` → `loadDesiredState` → `plan()` against an empty observed state), then the in-process `reconcile({ dryRun: true })` with the real DockerRuntime and FileKv (reads only, checked), caches cleared before every run.',
      `Runs: ${runs} each; medians. "Same order of time": compose within 3× of bosun/v1.`,
    ],
    profile: [`compose / bosun/v1: ${fmtRatio(r)} (full dry-run)`],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const s = await benchComposeDryrun(Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 100));
  console.log(JSON.stringify(s, null, 2));
}
