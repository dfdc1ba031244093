import { strict as assert } from 'node:assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bindingValue, refusal, stack } from '../helpers/binding.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

/** Issue 12, item 2: the host policy, not only the flag, hands a bound project over. */
describe('project takeover by the host policy (integration: real Docker, git over HTTP, the real CLI)', function () {
  this.timeout(240_000);
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

  it('a projects entry with takeOver: true hands the project to its repo, recorded via policy; without it the claim is refused', async () => {
    const project = uniqueProject('pw-bindpol');
    projects.push(project);
    const tmp = await mkdtemp(join(tmpdir(), 'pw-bindpol-'));
    dirs.push(tmp);
    const state = `file:${tmp}/state`;
    const flags = ['--state', state, '--cache-dir', `${tmp}/cache`];
    const a = await server.createRepo(`pw-a-${project}`, stack(project, 'web', 'one'));
    const b = await server.createRepo(`pw-b-${project}`, stack(project, 'api', 'one'));
    dirs.push(a.workdir, b.workdir, join(server.root, `pw-a-${project}.git`), join(server.root, `pw-b-${project}.git`));
    const manageOnly = join(tmp, 'manage.yaml');
    await writeFile(manageOnly, `projects:\n  - repo: "${server.url('**')}"\n    names: ["${project}"]\n`);
    const handover = join(tmp, 'handover.yaml');
    await writeFile(
      handover,
      `# b may take ${project} over from whoever holds it\nprojects:\n  - repo: "${b.url}"\n    names: ["t-pw-bindpol-*"]\n    takeOver: true\n`,
    );

    const first = await bosun(['reconcile', '--repo', a.url, '--policy', manageOnly, ...flags]);
    assert.equal(first.code, 0, first.stderr);
    const running = await containerIds(project);
    assert.deepEqual(Object.keys(running), ['web']);

    // b may manage the name, but the entry does not hand it over
    const refused = await bosun(['reconcile', '--repo', b.url, '--policy', manageOnly, ...flags]);
    assert.equal(refused.code, 1, refused.stdout);
    assert.equal(refused.stderr, refusal(project, `${a.url} path /`, `${b.url} path /`));
    assert.deepEqual(await containerIds(project), running, 'nothing touched');

    const taken = await bosun(['reconcile', '--repo', b.url, '--policy', handover, ...flags]);
    assert.equal(taken.code, 0, taken.stderr);
    assert.match(
      taken.stdout,
      new RegExp(`! project "${project}" taken over from ${a.url} path / by ${b.url} path / \\(the host policy\\)\\n`),
    );
    assert.deepEqual(Object.keys(await containerIds(project)), ['api']);
    const shown = await bosun(['releases', 'show', '2', '--project', project, '-o', 'json', ...flags]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.deepEqual(JSON.parse(shown.stdout).binding, {
      reason: 'takeover',
      source: { repo: b.url, path: '' },
      from: { repo: a.url, path: '' },
      via: 'policy',
    });
    const text = await bosun(['releases', 'show', '2', '--project', project, ...flags]);
    assert.match(
      text.stdout,
      new RegExp(`binding: +taken over from ${a.url} path / by ${b.url} path / \\(host policy\\)`),
    );
    const record = JSON.parse((await bindingValue(state, project))!);
    assert.equal(record.repo, b.url);
    assert.equal(record.via, 'policy');

    // the handover names b only: a cannot take it back under the same policy
    const back = await bosun(['reconcile', '--repo', a.url, '--policy', manageOnly, ...flags]);
    assert.equal(back.code, 1);
    assert.equal(back.stderr, refusal(project, `${b.url} path /`, `${a.url} path /`));
  });

  it('bosun serve takes the project over by the policy, and logs it', async () => {
    const project = uniqueProject('pw-bindpol-serve');
    projects.push(project);
    const tmp = await mkdtemp(join(tmpdir(), 'pw-bindpol-'));
    dirs.push(tmp);
    const flags = ['--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    const a = await server.createRepo(`pw-sa-${project}`, stack(project, 'web', 'one'));
    const b = await server.createRepo(`pw-sb-${project}`, stack(project, 'api', 'one'));
    dirs.push(
      a.workdir,
      b.workdir,
      join(server.root, `pw-sa-${project}.git`),
      join(server.root, `pw-sb-${project}.git`),
    );
    const handover = join(tmp, 'handover.yaml');
    await writeFile(handover, `projects:\n  - { repo: "${b.url}", names: ["${project}"], takeOver: true }\n`);
    const first = await bosun(['reconcile', '--repo', a.url, ...flags]);
    assert.equal(first.code, 0, first.stderr);

    const taking = await startServe(['--repo', b.url, '--policy', handover, '--poll', '0 0 1 1 *', ...flags]);
    try {
      // `applied` is set at start from the release in force (a's): wait for this pass
      const applied = async () => ((await status(taking)).lastAttempt?.result === 'applied' ? true : undefined);
      await waitFor('the takeover applied', applied, 60_000, taking);
      assert.deepEqual(Object.keys(await containerIds(project)), ['api']);
      const line = `project "${project}" taken over from ${a.url} path / by ${b.url} path / (the host policy)`;
      assert.ok(
        taking.logs.some((l) => l.msg === line),
        taking.logs.map((l) => l.msg).join('\n'),
      );
    } finally {
      await taking.stop();
    }
    const shown = await bosun(['releases', 'show', '2', '--project', project, '-o', 'json', ...flags]);
    assert.equal(JSON.parse(shown.stdout).binding?.via, 'policy');
  });
});
