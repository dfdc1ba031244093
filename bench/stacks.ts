/**
 * Many stacks in one repo (issue 14), in-process with the real Docker back end, the embedded
 * store and the repo served over smart HTTP (as serve fetches it):
 * - a push touching one stack of a 50-stack × 4-service repo, from fetch to converged, against
 *   the same change in a repo holding that one stack alone (the one-project serve pass);
 * - a no-op poll of all 50 stacks (fetch, discovery, fingerprints; nothing planned): < 200 ms.
 * Run alone: npx tsx bench/stacks.ts [runs] [stacks]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import pino from 'pino';
import { Registry } from 'prom-client';
import { DockerBackend } from '../src/backends/docker/index.ts';
import { useDigestKey } from '../src/model/digest.ts';
import { reconcilePass } from '../src/server/passes.ts';
import { StackBoard } from '../src/server/stacks/board.ts';
import { StackMetrics } from '../src/server/stacks/metrics.ts';
import { clusterPass, type ClusterPassDeps } from '../src/server/stacks/pass.ts';
import { Session } from '../src/session/session.ts';
import { fetchArtifact } from '../src/source/git.ts';
import { FileKv } from '../src/store/file.ts';
import { RecordSealer } from '../src/trust/sealer.ts';
import { loadOrCreateStateKey } from '../src/trust/state-key.ts';
import { ensureTestImages } from '../test/helpers/docker.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { cleanupBosun, idsByName, touched } from './lib/engine.ts';
import { fmtMs, log, median } from './lib/measure.ts';
import { benchProject, serviceNames, serviceYaml } from './lib/repo.ts';
import type { Section } from './lib/result.ts';

const SERVICES = 4;
const quiet = pino({ level: process.env.BENCH_LOG ?? 'silent' });

function stackFiles(prefix: string, project: string, rev = 0): Record<string, string> {
  const files: Record<string, string> = {
    [`${prefix}bosun.yaml`]: `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
  };
  // on the engine's default bridge: 50 projects with a network each would exhaust the engine's
  // default address pools (about 30 networks), as 50 compose projects would
  for (const name of serviceNames(SERVICES))
    files[`${prefix}${name}.yaml`] =
      `${serviceYaml({ name, env: rev && name === 's0001' ? { REV: String(rev) } : {} })}  networks: []\n`;
  return files;
}

async function world() {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-stacks-'));
  const kv = new FileKv(join(dir, 'state'));
  const { key } = loadOrCreateStateKey(join(dir, 'state.key'));
  useDigestKey(key.digest);
  const sealer = new RecordSealer(key);
  const backend = new DockerBackend('unix:///var/run/docker.sock');
  const session = (repo: string, path: string) =>
    new Session({ kv, sealer, backend, source: { repo, path, cacheDir: join(dir, 'cache') } });
  return { dir, kv, session, close: async () => (await kv.close(), await rm(dir, { recursive: true, force: true })) };
}

export interface StacksResult {
  stacks: number;
  clusterChange: number[];
  singleChange: number[];
  noop: number[];
  noopFetch: number[];
  convergeMs: number;
  touchedPerRun: string[];
}

export async function benchStacks(runs = 3, count = 50): Promise<StacksResult> {
  await ensureTestImages();
  const server = await startGitServer();
  const w = await world();
  const base = benchProject('stk');
  const projects = Array.from({ length: count }, (_, i) => `${base}-${String(i).padStart(2, '0')}`);
  const single = benchProject('stk-one');
  const all = Object.assign({}, ...projects.map((p, i) => stackFiles(`stacks/st${i}/`, p)));
  const cluster = await server.createRepo(base, all);
  const one = await server.createRepo(single, stackFiles('', single));
  const out: StacksResult = {
    stacks: count,
    clusterChange: [],
    singleChange: [],
    noop: [],
    noopFetch: [],
    convergeMs: 0,
    touchedPerRun: [],
  };
  const sessions = new Map<string, Session>();
  const deps: ClusterPassDeps = {
    fetchRoot: () => fetchArtifact({ repo: cluster.url, ref: 'main', cacheDir: join(w.dir, 'cache') }),
    globs: ['stacks/*'],
    concurrency: 4,
    board: new StackBoard(),
    sessionFor: (p) => sessions.get(p) ?? (sessions.set(p, w.session(cluster.url, p)), sessions.get(p)!),
    log: quiet,
    metrics: new StackMetrics(new Registry()),
    firstPass: true,
    retryLater: () => undefined,
  };
  try {
    const t0 = performance.now();
    const first = await clusterPass('poll', deps);
    out.convergeMs = performance.now() - t0;
    if (first.failed.length) throw new Error(`converge failed: ${first.failed.join(', ')}`);
    log(`stacks: ${count} × ${SERVICES} converged in ${fmtMs(out.convergeMs)}`);
    deps.firstPass = false;
    const oneSession = w.session(one.url, '');
    await reconcilePass('poll', { session: oneSession, project: single, log: quiet });
    for (let i = 0; i < runs; i++) {
      const n = (i * 7 + 3) % count;
      await cluster.commit(stackFiles(`stacks/st${n}/`, projects[n]!, i + 1));
      const before = await idsByName(`bosun.project`);
      const t = performance.now();
      const r = await clusterPass('webhook', deps);
      out.clusterChange.push(performance.now() - t);
      const changed = touched(before, await idsByName('bosun.project')).filter((c) => c.startsWith(base));
      out.touchedPerRun.push(`${r.touched.length} stack(s) planned, ${changed.length} container(s) replaced`);
      await one.commit(stackFiles('', single, i + 1));
      const t2 = performance.now();
      const o = await reconcilePass('webhook', { session: oneSession, project: single, log: quiet });
      out.singleChange.push(performance.now() - t2);
      if (o.result !== 'applied') throw new Error(`single-stack pass: ${o.result}`);
    }
    for (let i = 0; i < 9; i++) {
      const t = performance.now();
      await deps.fetchRoot();
      out.noopFetch.push(performance.now() - t);
      const t2 = performance.now();
      const r = await clusterPass('poll', deps);
      out.noop.push(performance.now() - t2);
      if (r.touched.length > 0) throw new Error(`no-op poll planned ${r.touched.length} stack(s)`);
    }
    return out;
  } finally {
    await Promise.all([...projects, single].map((p) => cleanupBosun(p)));
    await w.close();
    await server.close();
  }
}

export function stacksSection(r: StacksResult): Section {
  const cl = median(r.clusterChange);
  const one = median(r.singleChange);
  const noop = median(r.noop);
  return {
    name: 'stacks (bench/stacks.ts)',
    rows: [
      {
        bench: 'stacks',
        case: `push touching 1 of ${r.stacks} stacks × ${SERVICES} services → converged`,
        bosunMs: cl,
        peerMs: one,
        runs: `${r.clusterChange.length} each`,
        target: '≈ single-stack repo',
        met: cl < one * 1.5 + 100,
        notes: `peer: the same change in a repo of that one stack (one-project serve pass); ${r.touchedPerRun.join('; ')}`,
      },
      {
        bench: 'stacks',
        case: `no-op poll of ${r.stacks} stacks, in-process`,
        bosunMs: noop,
        runs: `${r.noop.length}`,
        target: '< 200 ms',
        met: noop < 200,
        notes: `of which fetch (ref advertisement over HTTP, root tree unchanged) ${fmtMs(median(r.noopFetch))}; 0 stacks planned (no stack observed)`,
      },
    ],
    method: [
      `In-process, embedded store, Docker back end, repos served by the test helpers' smart-HTTP git server. Cluster repo: ${r.stacks} folders stacks/stN, each a project of ${SERVICES} services (one container each); converged from nothing by one pass in ${fmtMs(r.convergeMs)} (concurrency 4).`,
      'Change: one service env edited in one stack (a different stack each run), committed and pushed; timed from the start of the webhook pass (fetch) until it returns (release recorded). Peer: the same edit in a repo holding one stack of 4 services, timed through the one-project serve pass (reconcilePass).',
      'No-op poll: clusterPass("poll") with nothing pushed, 9 runs; the fetch alone is timed separately before each.',
    ],
    profile: [
      `change samples: cluster ${r.clusterChange.map(fmtMs).join(', ')}; single ${r.singleChange.map(fmtMs).join(', ')}; no-op ${r.noop.map(fmtMs).join(', ')}`,
    ],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const r = await benchStacks(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 50));
  const s = stacksSection(r);
  for (const row of s.rows) console.log(JSON.stringify(row));
  console.log(s.profile.join('\n'));
  process.exit(0);
}
