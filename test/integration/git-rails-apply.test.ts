import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bosun } from '../helpers/cli.ts';
import {
  cleanupProject,
  containerIds,
  ensureTestImages,
  IMAGE_V1,
  IMAGE_V2,
  uniqueProject,
} from '../helpers/docker.ts';
import { git, startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

function manifests(project: string, image: string, level: string): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'web.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: web }\nspec:\n  image: ${image}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  env: { LEVEL: ${level} }\n`,
  };
}

async function commitAll(work: string, files: Record<string, string>, message: string): Promise<string> {
  for (const [name, text] of Object.entries(files)) await writeFile(join(work, name), text);
  await git(work, 'add', '-A');
  await git(work, 'commit', '--quiet', '-m', message);
  return git(work, 'rev-parse', 'HEAD');
}

interface ReleaseJson {
  number: number;
  revision: string;
  forcePush?: { previousRelease: number; previousRevision: string };
}

/**
 * Git moves the world makes, applied to a real engine: a bare repo whose HEAD names a branch
 * never pushed, and a deployed branch rewritten by a force-push.
 */
describe('git rails, applied (integration: real Docker, real smart-HTTP server, the real CLI)', function () {
  this.timeout(180_000);
  let server: GitServer;
  const projects: string[] = [];
  const dirs: string[] = [];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
  });
  after(async () => {
    for (const p of projects) await cleanupProject(p);
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    await server?.close();
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gitr-apply-'));
    dirs.push(dir);
    return dir;
  }

  /** `git init --bare` as Debian's git does it (HEAD → master), then only main pushed. */
  async function danglingRepo(name: string, project: string): Promise<{ url: string; work: string; sha: string }> {
    const bare = join(server.root, `${name}.git`);
    dirs.push(bare);
    await git(server.root, '-c', 'init.defaultBranch=master', 'init', '--quiet', '--bare', bare);
    await git(bare, 'config', 'http.receivepack', 'true');
    const work = await tempDir();
    await git(work, 'init', '--quiet', '--initial-branch=main');
    const sha = await commitAll(work, manifests(project, IMAGE_V1, 'one'), 'first');
    await git(work, 'remote', 'add', 'origin', server.url(name));
    await git(work, 'push', '--quiet', 'origin', 'main');
    return { url: server.url(name), work, sha };
  }

  it('reconcile --ref main works against a dangling remote HEAD; without --ref the error names the branches', async () => {
    const project = uniqueProject('gitr-dangling');
    projects.push(project);
    const repo = await danglingRepo(`gitr-${project}`, project);
    const tmp = await tempDir();
    const flags = ['--repo', repo.url, '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    const without = await bosun(['reconcile', ...flags]);
    assert.equal(without.code, 1);
    assert.match(
      without.stderr,
      /the remote HEAD of http:\/\/127\.0\.0\.1:\d+\/gitr-t-gitr-dangling-\w+\.git names no branch that exists \(its branches: main\); pass --ref with a branch or tag/,
    );
    const ok = await bosun(['reconcile', '--ref', 'main', ...flags]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(Object.keys(await containerIds(project)), ['web']);
  });

  it('serve --ref main converges from a dangling remote HEAD', async () => {
    const project = uniqueProject('gitr-dserve');
    projects.push(project);
    const repo = await danglingRepo(`gitr-${project}`, project);
    const tmp = await tempDir();
    const s = await startServe([
      ...['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`],
      ...['--poll', '0 0 1 1 *'],
    ]);
    try {
      await waitFor(
        'the dangling-HEAD repo applied',
        async () => ((await status(s)).applied?.revision === repo.sha ? true : undefined),
        60_000,
        s,
      );
      assert.deepEqual(Object.keys(await containerIds(project)), ['web']);
    } finally {
      await s.stop();
    }
  });

  it('records a force-push of the deployed branch in the release, shows it, and refuses one with --refuse-force-push or by the host policy (git.refuseForcePush)', async () => {
    const project = uniqueProject('gitr-force');
    projects.push(project);
    const repo = await server.createRepo(`gitr-${project}`, manifests(project, IMAGE_V1, 'one'));
    dirs.push(repo.workdir, join(server.root, `gitr-${project}.git`));
    const tmp = await tempDir();
    const flags = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    const releases = async () =>
      JSON.parse((await bosun(['releases', ...flags, '-o', 'json'])).stdout) as ReleaseJson[];

    assert.equal((await bosun(['reconcile', ...flags])).code, 0);
    const second = await repo.commit(manifests(project, IMAGE_V1, 'two'));
    const ff = await bosun(['reconcile', ...flags]);
    assert.equal(ff.code, 0, ff.stderr);
    assert.doesNotMatch(ff.stderr + ff.stdout, /force-pushed/);

    // rewrite: drop `second`, commit something else in its place
    await git(repo.workdir, 'reset', '--quiet', '--hard', 'HEAD~1');
    const rewritten = await commitAll(repo.workdir, manifests(project, IMAGE_V2, 'three'), 'rewritten');
    await git(repo.workdir, 'push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
    const forced = await bosun(['reconcile', ...flags]);
    assert.equal(forced.code, 0, forced.stderr);
    const moved = `main of ${repo.url} was force-pushed: ${rewritten.slice(0, 12)} does not contain ${second.slice(0, 12)}, applied by release 2`;
    assert.ok(
      (forced.stdout + forced.stderr).includes(`${moved}; applying it, recorded in the release`),
      forced.stderr,
    );
    const list = await releases();
    assert.deepEqual(
      list.map((r) => [r.number, r.revision, r.forcePush]),
      [
        [1, list[0]!.revision, undefined],
        [2, second, undefined],
        [3, rewritten, { previousRelease: 2, previousRevision: second }],
      ],
    );
    const show = await bosun(['releases', 'show', '3', ...flags]);
    assert.match(
      show.stdout,
      new RegExp(
        `\n  forced: {4}yes: main was force-pushed; ${second.slice(0, 12)} \\(release 2\\) is not in this revision's history\n`,
      ),
    );

    const running = await containerIds(project);
    await git(repo.workdir, 'reset', '--quiet', '--hard', 'HEAD~1');
    const again = await commitAll(repo.workdir, manifests(project, IMAGE_V1, 'four'), 'rewritten again');
    await git(repo.workdir, 'push', '--quiet', '--force', 'origin', 'HEAD:refs/heads/main');
    const refused = await bosun(['reconcile', '--refuse-force-push', ...flags]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `error: main of ${repo.url} was force-pushed: ${again.slice(0, 12)} does not contain ${rewritten.slice(0, 12)}, applied by release 3; refused (--refuse-force-push)\n`,
    );
    assert.equal((await releases()).length, 3, 'no release recorded');
    assert.deepEqual(await containerIds(project), running, 'nothing changed');

    // the host policy refuses it without the flag
    const policy = join(tmp, 'policy.yaml');
    await writeFile(policy, 'git:\n  refuseForcePush: true\n');
    const byPolicy = await bosun(['reconcile', '--policy', policy, ...flags]);
    assert.equal(byPolicy.code, 1);
    assert.equal(
      byPolicy.stderr,
      `error: main of ${repo.url} was force-pushed: ${again.slice(0, 12)} does not contain ${rewritten.slice(0, 12)}, applied by release 3; refused by the host policy (${policy}: git.refuseForcePush)\n`,
    );
    assert.equal((await releases()).length, 3, 'no release recorded');
    assert.deepEqual(await containerIds(project), running, 'nothing changed');
    await writeFile(policy, 'git:\n  refuseForcePush: false\n');
    const allowed = await bosun(['reconcile', '--policy', policy, ...flags]);
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.deepEqual((await releases())[3]?.forcePush, { previousRelease: 3, previousRevision: rewritten });
  });
});
