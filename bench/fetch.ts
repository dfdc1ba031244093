/**
 * 5. Incremental fetch of one new commit over smart HTTP (the test helpers' git http-backend
 * server): bosun's isomorphic-git cache vs `git fetch` in a CLI clone, same server, same commits.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fetchArtifact } from '../src/source/git.ts';
import { syncCache } from '../src/source/remote.ts';
import { startGitServer, type TestRepo } from '../test/helpers/git-server.ts';
import { fmtMs, log, median, timed } from './lib/measure.ts';
import { benchProject, repoFiles, serviceNames, serviceYaml } from './lib/repo.ts';
import type { Row, Section } from './lib/result.ts';

const run = promisify(execFile);
const SERVICES = 100;

/** Async: the server runs in this process, and a sync child would block it (deadlock). */
async function gitCli(cwd: string, ...args: string[]): Promise<number> {
  return (
    await timed(() =>
      run('git', args, {
        cwd,
        env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
      }),
    )
  ).ms;
}

interface Samples {
  /** bosun's fetch alone (syncCache), one new commit */
  bosunFetch: number[];
  cli: number[];
  /** the whole fetchArtifact: fetch + read every file */
  artifact: number[];
  bosunNoop: number[];
  cliNoop: number[];
}

/** Each run pushes one commit both sides fetch, a second fetch with nothing new, then one more commit for fetchArtifact. */
async function measure(repo: TestRepo, cacheDir: string, cloneDir: string, runs: number): Promise<Samples> {
  const s: Samples = { bosunFetch: [], cli: [], artifact: [], bosunNoop: [], cliNoop: [] };
  const bosunFetch = async () => (await timed(() => syncCache(repo.url, cacheDir, undefined, 'main'))).ms;
  const edit = (name: string, rev: string) =>
    repo.commit({ [`services/${name}.yaml`]: serviceYaml({ name, env: { REV: rev } }) });
  for (let i = 0; i < runs; i++) {
    const name = serviceNames(SERVICES)[i % SERVICES]!;
    await edit(name, `a${i}`);
    s.bosunFetch.push(await bosunFetch());
    s.cli.push(await gitCli(cloneDir, 'fetch', '--quiet', 'origin'));
    s.bosunNoop.push(await bosunFetch());
    s.cliNoop.push(await gitCli(cloneDir, 'fetch', '--quiet', 'origin'));
    await edit(name, `b${i}`);
    s.artifact.push((await timed(() => fetchArtifact({ repo: repo.url, cacheDir }))).ms);
  }
  return s;
}

function rows(s: Samples, runs: number, clone: { bosun: number; cli: number }): Row[] {
  return [
    {
      bench: 'fetch',
      case: 'one new commit: fetch only (isomorphic-git vs `git fetch`)',
      bosunMs: median(s.bosunFetch),
      peerMs: median(s.cli),
      runs: `${runs} each`,
      notes: 'git CLI time includes spawning git',
    },
    {
      bench: 'fetch',
      case: `one new commit: fetchArtifact (fetch + read ${SERVICES + 1} files)`,
      bosunMs: median(s.artifact),
      peerMs: median(s.cli),
      runs: `${runs}`,
      notes: 'the peer only fetches',
    },
    {
      bench: 'fetch',
      case: 'nothing new (poll)',
      bosunMs: median(s.bosunNoop),
      peerMs: median(s.cliNoop),
      runs: `${runs} each`,
    },
    {
      bench: 'fetch',
      case: 'initial clone',
      bosunMs: clone.bosun,
      peerMs: clone.cli,
      runs: '1',
      notes: 'bosun: clone + read',
    },
  ];
}

export async function benchFetch(runs: number): Promise<Section> {
  const server = await startGitServer();
  const tmp = await mkdtemp(join(tmpdir(), 'bosun-bench-fetch-'));
  const project = benchProject('fetch');
  try {
    const repo = await server.createRepo(
      project,
      repoFiles(
        project,
        serviceNames(SERVICES).map((name) => ({ name })),
      ),
    );
    const cacheDir = join(tmp, 'cache');
    const clone = {
      bosun: (await timed(() => fetchArtifact({ repo: repo.url, cacheDir }))).ms,
      cli: await gitCli(tmp, 'clone', '--quiet', repo.url, 'clone'),
    };
    const s = await measure(repo, cacheDir, join(tmp, 'clone'), runs);
    log(`fetch: bosun ${s.bosunFetch.map(Math.round).join(', ')} ms; git ${s.cli.map(Math.round).join(', ')} ms`);
    return {
      name: 'Incremental fetch',
      rows: rows(s, runs, clone),
      method: [
        `A ${SERVICES}-service repo on the test helpers' smart-HTTP server (git http-backend behind a Node bridge, in this process). Each of ${runs} runs pushes one commit that changes one file.`,
        'bosun: `syncCache` (the incremental fetch inside `fetchArtifact`, into the bare cache) and then, after a second commit, the whole `fetchArtifact`. CLI: `git fetch --quiet origin` in a `git clone` of the same repo, spawned asynchronously.',
        'Both sides fetch every commit the other fetched, from the same server; "nothing new" is a second fetch right after.',
      ],
      profile: [
        `fetch + read of ${SERVICES + 1} files costs ${fmtMs(median(s.artifact) - median(s.bosunFetch))} more than the fetch alone: every file is read back from the pack one object at a time`,
      ],
    };
  } finally {
    await server.close();
    await rm(tmp, { recursive: true, force: true });
  }
}
