/**
 * The Swarm back end on the 3-engine harness (test/cluster/harness.sh, needs root), through the
 * real CLI as a user runs it, against `docker stack deploy` of the equivalent compose file in the
 * same run:
 * - converge of N services (1 replica each) from nothing to every task running;
 * - a push changing every service: from the commit to every task of the new spec running.
 * Runs alternate bosun and stack; each run is a fresh project. Run alone: npx tsx bench/swarm.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { bosun } from '../test/helpers/cli.ts';
import { type Cluster, clusterDown, clusterUp } from '../test/helpers/cluster.ts';
import { ensureTestImages } from '../test/helpers/docker.ts';
import { type GitServer, startGitServer } from '../test/helpers/git-server.ts';
import { removeSwarmProject } from '../test/helpers/swarm.ts';
import { loadAverage } from './lib/machine.ts';
import { fmtMs, log, median } from './lib/measure.ts';
import { IMAGE, repoFiles, type ServiceDef, serviceNames } from './lib/repo.ts';
import type { Section } from './lib/result.ts';
import { allRunning, stackProject, waitUntil } from './lib/stack.ts';

export interface SwarmResult {
  services: number;
  bosunConverge: number[];
  stackConverge: number[];
  bosunPush: number[];
  stackPush: number[];
  loads: string[];
}

const defs = (n: number, rev?: number): ServiceDef[] =>
  serviceNames(n).map((name) => ({ name, ...(rev ? { env: { REV: String(rev) } } : {}) }));
const name = (kind: string, i: number) => `s15b-${kind}-${randomBytes(2).toString('hex')}-${i}`;

async function bosunRun(c: Cluster, server: GitServer, i: number, n: number): Promise<[number, number]> {
  const project = name('bsw', i);
  const repo = await server.createRepo(project, repoFiles(project, defs(n)));
  const cache = await mkdtemp(join(tmpdir(), 'bosun-bench-swarm-'));
  const flags = ['--repo', repo.url, '--state', c.etcdUrl, '--cache-dir', cache];
  const cli = async () => {
    const r = await bosun([
      'reconcile',
      ...flags,
      '--backend',
      'swarm',
      '--no-swarm-mesh',
      '--docker-host',
      c.dockerHosts[0]!,
    ]);
    if (r.code !== 0) throw new Error(`bosun reconcile of ${project} exited ${r.code}: ${r.stderr.slice(0, 300)}`);
  };
  const label = `bosun.project=${project}`;
  try {
    let t0 = performance.now();
    await cli();
    const converge = await waitUntil('bosun: every task running', t0, () => allRunning(c.manager, label, n));
    t0 = performance.now();
    await repo.commit(repoFiles(project, defs(n, 1)));
    await cli();
    const push = await waitUntil('bosun: the new spec running', t0, () => allRunning(c.manager, label, n, 'REV=1'));
    return [converge, push];
  } finally {
    await removeSwarmProject(c.manager, project);
  }
}

async function stackRun(c: Cluster, i: number, n: number): Promise<[number, number]> {
  const stack = await stackProject(name('bst', i), c.dockerHosts[0]!);
  const label = `com.docker.stack.namespace=${stack.name}`;
  try {
    let t0 = performance.now();
    await stack.deploy(defs(n));
    const converge = await waitUntil('stack: every task running', t0, () => allRunning(c.manager, label, n));
    t0 = performance.now();
    await stack.deploy(defs(n, 1));
    const push = await waitUntil('stack: the new spec running', t0, () => allRunning(c.manager, label, n, 'REV=1'));
    return [converge, push];
  } finally {
    await stack.remove();
    await removeLeftovers(c, label);
  }
}

/** `stack rm` can leave the network while tasks still hold it: removed once they are gone. */
async function removeLeftovers(c: Cluster, label: string): Promise<void> {
  const filters = { label: [label] };
  await waitUntil(
    'stack removed',
    performance.now(),
    async () => (await c.manager.listTasks({ filters })).length === 0,
  );
  for (const net of await c.manager.listNetworks({ filters })) await c.manager.getNetwork(net.Id).remove();
}

export async function benchSwarm(runs = 3, n = 20): Promise<SwarmResult> {
  await ensureTestImages();
  const cluster = await clusterUp({ images: [IMAGE] });
  const server = await startGitServer();
  const out: SwarmResult = {
    services: n,
    bosunConverge: [],
    stackConverge: [],
    bosunPush: [],
    stackPush: [],
    loads: [],
  };
  try {
    for (let i = 0; i < runs; i++) {
      out.loads.push(loadAverage());
      const [bc, bp] = await bosunRun(cluster, server, i, n);
      const [sc, sp] = await stackRun(cluster, i, n);
      log(
        `swarm run ${i + 1}: converge bosun ${fmtMs(bc)} / stack ${fmtMs(sc)}; push bosun ${fmtMs(bp)} / stack ${fmtMs(sp)}`,
      );
      out.bosunConverge.push(bc);
      out.stackConverge.push(sc);
      out.bosunPush.push(bp);
      out.stackPush.push(sp);
    }
  } finally {
    await server.close();
    if (process.env.BSW_KEEP !== '1') await clusterDown();
  }
  return out;
}

export function swarmSection(r: SwarmResult): Section {
  const all = (xs: number[]) => xs.map(fmtMs).join(', ');
  return {
    name: 'Swarm',
    ownTable: true,
    rows: [
      {
        bench: 'swarm',
        case: `converge ${r.services} services on 3 nodes, nothing → every task running`,
        bosunMs: median(r.bosunConverge),
        peerMs: median(r.stackConverge),
        runs: `${r.bosunConverge.length}`,
        notes: `bosun ${all(r.bosunConverge)}; stack deploy ${all(r.stackConverge)}`,
      },
      {
        bench: 'swarm',
        case: `push changing all ${r.services} services → every task of the new spec running`,
        bosunMs: median(r.bosunPush),
        peerMs: median(r.stackPush),
        runs: `${r.bosunPush.length}`,
        notes: `bosun ${all(r.bosunPush)}; stack deploy ${all(r.stackPush)}`,
      },
    ],
    method: [
      'On the 3-engine harness (test/cluster/harness.sh: 1 manager + 2 workers, each dockerd in its own network namespace on this machine, a 3-member etcd across them), so the 3 "nodes" share these 2 cores.',
      `bosun: the real CLI, \`bosun reconcile --backend swarm --no-swarm-mesh --state <harness etcd>\` with the repo on the test git server over HTTP; timed from the process start to every task running (the CLI waits for that; the bench then checks it at the manager). Push: from the commit to the git server, through a second \`bosun reconcile\`, to every task of the new spec running.`,
      '"compose / git" column: `docker stack deploy --resolve-image never` of the equivalent compose file (same image, command, stop grace 2 s, restart delay 1 s, update parallelism 1 stop-first, monitor 1 ms); `stack deploy` returns before any task runs, so it is timed to every task running by polling the manager every 100 ms.',
      `Runs alternate bosun and stack deploy; each run is a fresh project, removed after. Load average (1/5/15 min) at the start of each run: ${r.loads.join('; ')}.`,
    ],
    profile: [],
  };
}

if (import.meta.url === pathToFileURL(process.argv[1]!).href) {
  const r = await benchSwarm(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 20));
  console.log(JSON.stringify(r, null, 1));
}
