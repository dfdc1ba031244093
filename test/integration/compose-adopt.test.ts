import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { ADOPTABLE, compose, composeContainers, removeComposeStack, run } from '../helpers/compose.ts';
import { docker, ensureTestImages, IMAGE_V1, projectContainers, uniqueProject } from '../helpers/docker.ts';
import { type ServeProcess, startServe, status, waitFor } from '../helpers/serve.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

/**
 * Issue 13's migration: a stack `docker-compose up -d` started (Debian's docker-compose 1.29)
 * is refused with the command that hands it over; once handed over, bosun runs it from git
 * with the named volume's data where it was, and compose's labels on its containers.
 */
describe('compose stack taken over from docker-compose (real engine, git over HTTP)', function () {
  this.timeout(240_000);
  const project = uniqueProject('compose-map');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];
  let file: string;
  const stack = [
    'services:',
    '  db:',
    `    image: ${IMAGE_V1}`,
    '    command: ["sleep", "3600"]',
    '    volumes:',
    '      - data:/data',
    'volumes:',
    '  data:',
    '',
  ].join('\n');

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, { [`${project}/compose.yaml`]: stack });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-compose-map-'));
    file = path.join(repo.workdir, project, 'compose.yaml');
    flags = [
      '--repo',
      repo.url,
      '--ref',
      'main',
      '--path',
      project,
      '--state',
      `file:${tmp}/state`,
      '--cache-dir',
      `${tmp}/cache`,
    ];
  });

  after(async () => {
    await removeComposeStack(project, file);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('refuses while compose holds the project, naming the command that hands it over', async () => {
    await compose(project, file, 'up', '-d');
    await run('docker', ['exec', `${project}_db_1`, 'sh', '-c', 'echo kept > /data/x']);
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, new RegExp(`running under docker compose \\(${project}_db_1\\)`));
    assert.match(r.stderr, new RegExp(`"docker-compose -p ${project} down"; without -v`));
    const mine = await docker.listContainers({ all: true, filters: { label: [`bosun.project=${project}`] } });
    assert.deepEqual(mine, [], 'nothing was created');
  });

  it('after docker-compose down (no -v), reconcile runs the stack on the same volume, with compose labels', async () => {
    await compose(project, file, 'down');
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const { stdout } = await run('docker', ['exec', `${project}-db-1`, 'cat', '/data/x']);
    assert.equal(stdout, 'kept\n');
    const info = await docker.getContainer(`${project}-db-1`).inspect();
    const labels = info.Config.Labels;
    assert.equal(labels['com.docker.compose.project'], project);
    assert.equal(labels['com.docker.compose.service'], 'db');
    assert.equal(labels['com.docker.compose.container-number'], '1');
    assert.equal(labels['com.docker.compose.oneoff'], 'False');
    assert.equal(labels['bosun.project'], project);
    assert.equal(info.Mounts.find((m) => m.Destination === '/data')?.Name, `${project}_data`);
    const again = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(again.code, 0, `compose's volume is seen as there, nothing to do:\n${again.stdout}`);
  });
});

/**
 * The other way issue 13 offers: `--adopt-compose` takes compose's containers over in one pass
 * (they are removed before bosun's start), the named volume and its data kept, the taking
 * recorded in the release.
 */
describe('compose stack taken with --adopt-compose (real engine, git over HTTP)', function () {
  this.timeout(180_000);
  const project = uniqueProject('compose-adopt');
  let server: GitServer;
  let tmp: string;
  let flags: string[];
  let file: string;
  let composeIds: string[];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    const repo = await server.createRepo(project, { [`${project}/compose.yaml`]: ADOPTABLE });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-compose-adopt-'));
    file = path.join(repo.workdir, project, 'compose.yaml');
    flags = ['--repo', repo.url, '--ref', 'main', '--path', project];
    flags.push('--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`);
    await compose(project, file, 'up', '-d');
    await run('docker', ['exec', `${project}_db_1`, 'sh', '-c', 'echo kept > /data/x']);
    composeIds = (await composeContainers(project)).map((c) => c.Id).sort();
    assert.equal(composeIds.length, 2, 'docker-compose started db and web');
  });

  after(async () => {
    await removeComposeStack(project, file);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('the dry-run with the flag says what it would take and changes nothing', async () => {
    const r = await bosun(['reconcile', ...flags, '--adopt-compose', '--dry-run', '--detailed-exitcode']);
    assert.equal(r.code, 2, r.stderr + r.stdout);
    for (const name of [`${project}_db_1`, `${project}_web_1`])
      assert.match(r.stdout, new RegExp(`- remove container ${name} .*taken over \\(--adopt-compose\\)`), r.stdout);
    const now = await composeContainers(project);
    assert.deepEqual(now.map((c) => c.Id).sort(), composeIds);
    assert.ok(now.every((c) => c.State === 'running'));
    assert.deepEqual(await projectContainers(project), [], 'nothing of bosun was created');
  });

  it("reconcile --adopt-compose replaces compose's containers, the volume's data intact, recorded in the release", async () => {
    const r = await bosun(['reconcile', ...flags, '--adopt-compose']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const id of composeIds) await assert.rejects(docker.getContainer(id).inspect(), `${id} is gone`);
    const { stdout } = await run('docker', ['exec', `${project}-db-1`, 'cat', '/data/x']);
    assert.equal(stdout, 'kept\n');
    const ours = (await projectContainers(project)).map((c) => c.Id).sort();
    assert.equal(ours.length, 2);
    const listed = (await compose(project, file, 'ps', '-q')).trim().split('\n').sort();
    assert.deepEqual(
      listed.map((id) => ours.find((o) => o.startsWith(id))),
      ours,
      "docker-compose ps lists bosun's containers",
    );
    const shown = await bosun(['releases', 'show', '1', ...flags, '--output', 'json']);
    assert.equal(shown.code, 0, shown.stderr);
    const release = JSON.parse(shown.stdout) as { operations: string[]; status: string };
    assert.equal(release.status, 'succeeded');
    assert.ok(
      release.operations.some((l) => l.includes(`${project}_db_1`) && l.includes('--adopt-compose')),
      release.operations.join('\n'),
    );
    const again = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(again.code, 0, `taken over, the next pass has nothing to do:\n${again.stdout}${again.stderr}`);
  });
});

describe('bosun serve --adopt-compose (real engine, git over HTTP)', function () {
  this.timeout(180_000);
  const project = uniqueProject('compose-serve');
  let server: GitServer;
  let tmp: string;
  let file: string;
  let serve: ServeProcess | undefined;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-compose-serve-'));
  });

  after(async () => {
    await serve?.stop('SIGKILL');
    await removeComposeStack(project, file);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it("its start-up pass takes compose's containers over, the volume's data intact", async () => {
    const repo = await server.createRepo(project, { [`${project}/compose.yaml`]: ADOPTABLE });
    file = path.join(repo.workdir, project, 'compose.yaml');
    await compose(project, file, 'up', '-d');
    await run('docker', ['exec', `${project}_db_1`, 'sh', '-c', 'echo kept > /data/x']);
    const taken = (await composeContainers(project)).map((c) => c.Id);
    assert.equal(taken.length, 2);
    const flags = ['--repo', repo.url, '--ref', 'main', '--path', project, '--adopt-compose'];
    serve = await startServe([...flags, '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`]);
    const head = await repo.head();
    await waitFor(
      'the start-up pass to apply',
      async () => ((await status(serve!)).applied?.revision === head ? true : undefined),
      120_000,
      serve,
    );
    assert.deepEqual(await composeContainers(project), [], "compose's containers are gone");
    assert.equal((await projectContainers(project)).length, 2);
    const { stdout } = await run('docker', ['exec', `${project}-db-1`, 'cat', '/data/x']);
    assert.equal(stdout, 'kept\n');
  });
});
