import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

const run = promisify(execFile);

async function compose(project: string, file: string, ...args: string[]): Promise<string> {
  try {
    return (await run('docker-compose', ['-p', project, '-f', file, ...args])).stdout;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT')
      throw new Error('docker-compose is missing: run test/setup-services.sh (apt-get install -y docker-compose)');
    throw err;
  }
}

/**
 * Issue 13's migration: a stack `docker-compose up -d` started (Debian's docker-compose 1.29)
 * is refused with the command that hands it over; once handed over, bosun runs it from git
 * with the named volume's data where it was, and compose's labels on its containers.
 */
describe('compose stack taken over from docker-compose (real engine, git over HTTP)', function () {
  this.timeout(120_000);
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
    await compose(project, file, 'down').catch(() => undefined);
    await cleanupProject(project);
    for (const net of await docker.listNetworks({ filters: { name: [`${project}_default`] } }))
      await docker
        .getNetwork(net.Id)
        .remove()
        .catch(() => undefined);
    await docker
      .getVolume(`${project}_data`)
      .remove()
      .catch(() => undefined);
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
  });
});
