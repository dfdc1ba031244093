import { strict as assert } from 'node:assert';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { refusal, stack } from '../helpers/binding.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

describe('project binding under bosun serve (integration: real Docker, git over HTTP, embedded store)', function () {
  this.timeout(240_000);
  let server: GitServer;
  let project: string;
  let tmp: string;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    project = uniqueProject('bind-serve');
    tmp = await mkdtemp(join(tmpdir(), 'bind-serve-'));
  });
  after(async () => {
    await cleanupProject(project);
    await rm(tmp, { recursive: true, force: true });
    await server?.close();
  });

  it('a serve of another repo is refused (E_PROJECT_BOUND, stalled) and changes nothing; with --take-over-project it converges', async () => {
    const flags = ['--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`, '--poll', '0 0 1 1 *'];
    const a = await server.createRepo(`bind-sa-${project}`, stack(project, 'web', 'one'));
    const b = await server.createRepo(`bind-sb-${project}`, stack(project, 'api', 'one'));
    const first = await bosun(['reconcile', '--repo', a.url, ...flags.slice(0, 4)]);
    assert.equal(first.code, 0, first.stderr);
    const running = await containerIds(project);

    const refused = await startServe(['--repo', b.url, ...flags]);
    try {
      const error = await waitFor(
        'the refused pass',
        async () => (await status(refused)).lastAttempt?.error,
        60_000,
        refused,
      );
      assert.equal(error.code, 'E_PROJECT_BOUND');
      assert.equal(error.message, refusal(project, `${a.url} path /`, `${b.url} path /`).slice('error: '.length, -1));
      assert.deepEqual(await containerIds(project), running);
    } finally {
      await refused.stop();
    }

    const taking = await startServe(['--repo', b.url, '--take-over-project', project, ...flags]);
    try {
      // `applied` is set at start from the release in force (the first repo's): wait for this pass
      const applied = async () => ((await status(taking)).lastAttempt?.result === 'applied' ? true : undefined);
      await waitFor('the takeover applied', applied, 60_000, taking);
      assert.deepEqual(Object.keys(await containerIds(project)), ['api']);
      const logged = taking.logs.some((l) => String(l.msg).includes(`taken over from ${a.url} path /`));
      assert.ok(logged, 'the takeover is logged');
    } finally {
      await taking.stop();
    }
  });
});
