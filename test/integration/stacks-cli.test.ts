/**
 * `bosun reconcile --all`, `validate --all`, `status --all` against a cluster repo served over
 * HTTP, the real Docker engine and the embedded store: one fetch, each stack its own project,
 * failures isolated and reported per stack, deleted folders pruned only when asked.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, projectContainers } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { brokenService, clusterFiles, stackDefs, stackFolder } from '../helpers/stacks.ts';

describe('bosun reconcile --all (docker + git over HTTP + embedded store)', function () {
  this.timeout(180_000);
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  const defs = stackDefs('ms-cli', 3);
  const [a, b, c] = defs as [(typeof defs)[0], (typeof defs)[0], (typeof defs)[0]];

  const cli = (...args: string[]) =>
    bosun([
      ...args,
      '--repo',
      repo.url,
      '--ref',
      'main',
      '--state',
      `file:${tmp}/state`,
      '--cache-dir',
      `${tmp}/cache`,
    ]);

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-ms-cli-'));
    // b goes after a: declared in the layout file
    const layout = `stacks:\n  - path: stacks/*\n  - path: stacks/s1\n    dependsOn: [stacks/s0]\n`;
    repo = await server.createRepo(defs[0]!.project, { ...clusterFiles(defs), 'bosun-stacks.yaml': layout });
  });
  after(async () => {
    for (const d of defs) await cleanupProject(d.project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('converges every stack from one fetch, in the declared order, with a summary table', async () => {
    const r = await cli('reconcile', '--all');
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const d of defs) assert.equal((await projectContainers(d.project)).length, 1, d.project);
    assert.match(r.stdout, /3 stack\(s\) at [0-9a-f]{12}\n/);
    for (const d of defs) assert.match(r.stdout, new RegExp(`stacks/${d.folder}\\s+${d.project}\\s+applied\\s+1\\s+2`));
    const show = async (p: string) =>
      JSON.parse((await cli('releases', 'show', '1', '--project', p, '-o', 'json')).stdout) as {
        startedAt: string;
        finishedAt: string;
      };
    const [ra, rb] = [await show(a.project), await show(b.project)];
    assert.ok(rb.startedAt >= ra.finishedAt, `b started ${rb.startedAt} before a finished ${ra.finishedAt}`);
  });

  it('a broken stack is reported under its name (exit 1); the others still converge', async () => {
    const before = await containerIds(a.project);
    await repo.commit({ ...brokenService(c), ...stackFolder(b, { rev: '2' }) });
    const r = await cli('reconcile', '--all');
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stdout, /3 stack\(s\) at [0-9a-f]{12}, 1 failed/);
    assert.match(
      r.stdout,
      new RegExp(
        `stacks/s2\\s+${c.project}\\s+failed\\s+-\\s+0\\s+E_MANIFEST_INVALID: 1 manifest error: stacks/s2/svc0.yaml:7:13 spec.replicas`,
      ),
    );
    assert.match(r.stdout, new RegExp(`stacks/s1\\s+${b.project}\\s+applied\\s+2\\s+1`));
    assert.match(r.stdout, new RegExp(`stacks/s0\\s+${a.project}\\s+noop`));
    assert.deepEqual(await containerIds(a.project), before);
    const v = await cli('validate', '--all');
    assert.equal(v.code, 1);
    assert.match(v.stdout, /invalid: stacks\/s2 .*: 1 manifest error:\n {2}stacks\/s2\/svc0.yaml:7:13 spec\.replicas/);
    assert.match(v.stdout, new RegExp(`valid:   stacks/s0 \\(project ${a.project}\\): svc0`));
    const s = await cli('status', '--all', '-o', 'json');
    assert.equal(s.code, 0, s.stderr);
    const rows = (JSON.parse(s.stdout) as { stacks: { path: string; sync: string }[] }).stacks;
    assert.deepEqual(
      rows.map((x) => [x.path, x.sync]),
      [
        ['stacks/s0', 'synced'],
        ['stacks/s1', 'synced'],
        ['stacks/s2', 'invalid'],
      ],
    );
  });

  it('a deleted folder is only reported, then taken down with --prune-stacks (volumes kept)', async () => {
    const gone = Object.fromEntries(Object.keys(stackFolder(a)).map((f) => [f, null]));
    const layout = `stacks:\n  - path: stacks/*\n`;
    await repo.commit({ ...gone, ...stackFolder(c), 'bosun-stacks.yaml': layout });
    const kept = await cli('reconcile', '--all');
    assert.equal(kept.code, 0, kept.stdout + kept.stderr);
    assert.match(kept.stdout, new RegExp(`stacks/s0\\s+${a.project}\\s+would-remove.*--prune-stacks takes it down`));
    assert.equal((await projectContainers(a.project)).length, 1);
    const pruned = await cli('reconcile', '--all', '--prune-stacks');
    assert.equal(pruned.code, 0, pruned.stdout + pruned.stderr);
    assert.match(pruned.stdout, new RegExp(`stacks/s0\\s+${a.project}\\s+removed\\s+2\\s+2`));
    assert.equal((await projectContainers(a.project)).length, 0);
    const again = await cli('reconcile', '--all', '--prune-stacks');
    assert.doesNotMatch(again.stdout, /stacks\/s0/);
  });
});
