import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1 } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

const DIR = 'stacks/names';
const IDLE = `trap 'exit 0' TERM; while true; do sleep 1; done`;

/** Engine names fixed by the compose file: `name:` ones bosun makes, `external` ones the test makes. */
function names(u: string) {
  return {
    shared: `shared-${u}`,
    edge: `c13b-ext-${u}`,
    data: `c13b-data-${u}`,
    extVol: `c13b-extvol-${u}`,
    container: `c13b-web-${u}`,
    missing: `c13b-missing-${u}`,
  };
}

function compose(n: ReturnType<typeof names>, extraNetwork = false): string {
  return [
    'services:',
    '  web:',
    `    image: ${IMAGE_V1}`,
    `    container_name: ${n.container}`,
    '    platform: linux/amd64',
    `    command: ["sh", "-c", "${IDLE}"]`,
    '    stop_grace_period: 1s',
    `    networks: [front, edge${extraNetwork ? ', gone' : ''}]`,
    '    volumes:',
    '      - data:/data',
    '      - shared:/shared:ro',
    'networks:',
    `  front: { name: ${n.shared} }`,
    `  edge: { external: true, name: ${n.edge} }`,
    ...(extraNetwork ? [`  gone: { external: true, name: ${n.missing} }`] : []),
    'volumes:',
    `  data: { name: ${n.data} }`,
    `  shared: { external: true, name: ${n.extVol} }`,
    '',
  ].join('\n');
}

const exists = (p: Promise<unknown>) =>
  p.then(
    () => true,
    () => false,
  );

describe('compose networks and volumes by name:, and external ones (docker + git over HTTP)', function () {
  this.timeout(120_000);
  const u = randomBytes(3).toString('hex');
  const project = `c13b-names-${u}`;
  const n = names(u);
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];

  before(async () => {
    await ensureTestImages();
    await docker.createNetwork({ Name: n.edge, Driver: 'bridge', CheckDuplicate: true });
    await docker.createVolume({ Name: n.extVol });
    server = await startGitServer();
    repo = await server.createRepo(project, { [`${DIR}/compose.yaml`]: compose(n) });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-c13b-names-'));
    flags = ['--repo', repo.url, '--ref', 'main', '--path', DIR, '--project', project];
    flags.push('--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`);
  });

  after(async () => {
    await cleanupProject(project);
    await docker
      .getContainer(n.container)
      .remove({ force: true })
      .catch(() => undefined);
    for (const net of [n.edge, n.shared])
      await docker
        .getNetwork(net)
        .remove()
        .catch(() => undefined);
    for (const vol of [n.extVol, n.data])
      await docker
        .getVolume(vol)
        .remove()
        .catch(() => undefined);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('converges: the container by its exact name, attached and mounted by the engine names; a second pass plans nothing', async () => {
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, new RegExp(`create network ${n.shared}`));
    assert.doesNotMatch(r.stdout, new RegExp(`create network ${n.edge}|create volume ${n.extVol}`));
    const c = await docker.getContainer(n.container).inspect();
    assert.equal(c.Name, `/${n.container}`);
    assert.equal(c.Config.Labels['bosun.project'], project);
    assert.deepEqual(Object.keys(c.NetworkSettings.Networks).sort(), [n.edge, n.shared].sort());
    const mounts = c.Mounts.map((m) => `${m.Name}:${m.Destination}:${m.RW ? 'rw' : 'ro'}`).sort();
    assert.deepEqual(mounts, [`${n.data}:/data:rw`, `${n.extVol}:/shared:ro`]);
    const again = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(again.code, 0, `a second pass has nothing to do:\n${again.stdout}${again.stderr}`);
  });

  it('a missing external network refuses the plan by name, before anything is touched', async () => {
    const before = await containerIds(project);
    await repo.commit({ [`${DIR}/compose.yaml`]: compose(n, true) });
    const dry = await bosun(['reconcile', ...flags, '--dry-run']);
    assert.notEqual(dry.code, 0, dry.stdout);
    const r = await bosun(['reconcile', ...flags]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, new RegExp(`external network ${n.missing} \\(gone\\) not found on the engine`));
    assert.match(r.stderr, new RegExp(`docker network create ${n.missing}`));
    assert.deepEqual(await containerIds(project), before, 'nothing was replaced');
    assert.equal(await exists(docker.getNetwork(n.missing).inspect()), false, 'bosun never creates an external one');
    await repo.commit({ [`${DIR}/compose.yaml`]: compose(n) });
  });

  it('bosun down removes the network it made; the external ones and the named volume stay', async () => {
    const down = await bosun([
      'down',
      '--project',
      project,
      '--state',
      `file:${tmp}/state`,
      '--cache-dir',
      `${tmp}/cache`,
    ]);
    assert.equal(down.code, 0, down.stderr + down.stdout);
    assert.deepEqual(await containerIds(project), {});
    assert.equal(await exists(docker.getNetwork(n.shared).inspect()), false, 'the named network bosun made goes');
    assert.equal(await exists(docker.getNetwork(n.edge).inspect()), true, 'the external network stays');
    assert.equal(await exists(docker.getVolume(n.extVol).inspect()), true, 'the external volume stays');
    assert.equal(await exists(docker.getVolume(n.data).inspect()), true, 'a volume holds data: kept without --volumes');
  });
});
