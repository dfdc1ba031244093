/**
 * The measurements behind the CLI section (bench/cli.ts): each case runs bosun's compiled CLI
 * and its peer in the same run, interleaved, and returns every duration.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { bosunFor } from './lib/bosun.ts';
import { interleaved, nodeWallMs, wallMs } from './lib/cli-run.ts';
import { COMPOSE_BIN, composeProject } from './lib/compose.ts';
import { cleanupBosun, runningCount } from './lib/engine.ts';
import { log } from './lib/measure.ts';
import { benchProject, type LocalRepo, localRepo, repoFiles, serviceNames } from './lib/repo.ts';
import { type BosunRun, bosunOnce, composeOnce, floorOnce } from './cold.ts';

const ROOT = resolve(import.meta.dirname, '..');
export const EXAMPLE = 'examples/cluster-repo';

/** A scratch state store and repo cache per use: a CLI run never sees another's state. */
export async function scratch(): Promise<{ dir: string; args: string[]; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-cli-'));
  return {
    dir,
    args: ['--state', `file:${dir}/state`, '--cache-dir', `${dir}/cache`],
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** --version, --help, the peer's `docker-compose version` and node's own start (`node -e 0`). */
export async function startup(bin: string, runs: number) {
  const [version, help, compose, node] = await interleaved(runs, [
    () => nodeWallMs(bin, ['--version']),
    () => nodeWallMs(bin, ['--help']),
    () => wallMs(COMPOSE_BIN, ['version', '--short']),
    () => wallMs(process.execPath, ['-e', '0']),
  ]);
  return { version: version!, help: help!, compose: compose!, node: node! };
}

/** examples/cluster-repo committed to a fresh local repo (this worktree's .git may be a worktree link). */
export async function exampleRepo(): Promise<LocalRepo> {
  const dir = join(ROOT, EXAMPLE);
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files[join(EXAMPLE, relative(dir, full))] = await readFile(full, 'utf8');
  }
  return localRepo(files);
}

/** `bosun validate` of the example vs `docker-compose config -q` of the 20-service compose file. */
export async function validate(bin: string, runs: number) {
  const repo = await exampleRepo();
  const s = await scratch();
  const compose = await composeProject(
    benchProject('cli-config'),
    serviceNames(20).map((name) => ({ name })),
  );
  try {
    const [bosun, peer] = await interleaved(runs, [
      () => nodeWallMs(bin, ['validate', '--repo', repo.dir, '--path', EXAMPLE, ...s.args]),
      () => wallMs(COMPOSE_BIN, ['-f', compose.file, 'config', '-q']),
    ]);
    return { bosun: bosun!, peer: peer!, repo: repo.dir, args: ['--path', EXAMPLE, ...s.args] };
  } finally {
    await compose.down();
    await s.remove();
    await repo.remove();
  }
}

/**
 * The no-op: 20 containers converged by bosun (in-process, untimed) and 20 by compose, then
 * `bosun reconcile` and `docker-compose up -d` with nothing to do, interleaved.
 */
export async function noop(bin: string, runs: number, profile: (args: string[]) => Promise<string>) {
  const project = benchProject('cli-noop');
  const repo = await localRepo(
    repoFiles(
      project,
      serviceNames(20).map((name) => ({ name })),
    ),
  );
  const b = await bosunFor(repo.dir);
  const compose = await composeProject(
    benchProject('cli-noop-compose'),
    serviceNames(20).map((name) => ({ name })),
  );
  try {
    await b.reconcile();
    if ((await runningCount(`bosun.project=${project}`)) !== 20) throw new Error('no-op setup: 20 not running');
    await compose.up();
    const args = [
      'reconcile',
      '--repo',
      repo.dir,
      '--state',
      `file:${b.stateDir}/state`,
      '--cache-dir',
      b.source.cacheDir!,
    ];
    const [bosun, peer] = await interleaved(runs, [() => nodeWallMs(bin, args), () => compose.up()]);
    const inProcess = [];
    for (let i = 0; i < runs; i++) inProcess.push((await b.reconcile()).ms);
    return { bosun: bosun!, peer: peer!, inProcess, cpu: await profile(args) };
  } finally {
    await compose.down();
    await b.close();
    await cleanupBosun(project);
    await repo.remove();
  }
}

/** `bosun reconcile` from nothing, through the CLI: a new project, repo and state store. */
async function cliColdOnce(bin: string): Promise<number> {
  const project = benchProject('cli-cold');
  const repo = await localRepo(
    repoFiles(
      project,
      serviceNames(20).map((name) => ({ name })),
    ),
  );
  const s = await scratch();
  try {
    const ms = await nodeWallMs(bin, ['reconcile', '--repo', repo.dir, ...s.args]);
    const running = await runningCount(`bosun.project=${project}`);
    if (running !== 20) throw new Error(`CLI cold converge left ${running}/20 containers running`);
    return ms;
  } finally {
    await cleanupBosun(project);
    await s.remove();
    await repo.remove();
  }
}

/** CLI, compose, in-process and the engine floor, one of each per round. */
export async function cold(bin: string, runs: number) {
  const inProcess: BosunRun[] = [];
  const [cli, compose, floor] = await interleaved(runs, [
    () => cliColdOnce(bin),
    () => composeOnce(),
    async () => {
      inProcess.push(await bosunOnce());
      return floorOnce();
    },
  ]);
  log(`cli cold: CLI ${cli!.map(Math.round).join('/')} ms, compose ${compose!.map(Math.round).join('/')} ms`);
  return { cli: cli!, compose: compose!, floor: floor!, inProcess: inProcess.map((r) => r.ms) };
}

/** `bosun reconcile --dry-run` of 1000 services vs `docker-compose config -q` of the same 1000. */
export async function dryrun(bin: string, runs: number, n: number, profile: (args: string[]) => Promise<string>) {
  const project = benchProject('cli-dryrun');
  const names = serviceNames(n).map((name) => ({ name }));
  const repo = await localRepo(repoFiles(project, names));
  const compose = await composeProject(benchProject('cli-dryrun-compose'), names);
  const s = await scratch();
  try {
    // a new cache each run: every run reads the revision as a first pass does
    const args = () => ['reconcile', '--dry-run', '--repo', repo.dir, '--state', `file:${s.dir}/state`];
    const fresh = async () => {
      await rm(join(s.dir, 'cache'), { recursive: true, force: true });
      return nodeWallMs(bin, [...args(), '--cache-dir', join(s.dir, 'cache')]);
    };
    const [bosun, peer] = await interleaved(runs, [
      fresh,
      () => wallMs(COMPOSE_BIN, ['-f', compose.file, 'config', '-q']),
    ]);
    return { bosun: bosun!, peer: peer!, cpu: await profile([...args(), '--cache-dir', join(s.dir, 'cache-prof')]) };
  } finally {
    await s.remove();
    await compose.down();
    await repo.remove();
  }
}
