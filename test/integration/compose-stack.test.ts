import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

const DIR = 'stacks/shop';
const IDLE = `trap 'exit 0' TERM; while true; do sleep 1; done`;
/** db is healthy only after DB_WARMUP_S: a dependant started before that ignored its condition */
const DB_WARMUP_S = 2;

/** Issue 13's stack: a built service, a reader of a config file from the repo, a healthcheck-gated db. */
function stack(): Record<string, string> {
  const compose = [
    'services:',
    '  db:',
    `    image: ${IMAGE_V1}`,
    `    command: ["sh", "-c", "sleep ${DB_WARMUP_S}; touch /ready; ${IDLE}"]`,
    '    healthcheck:',
    '      test: ["CMD-SHELL", "test -f /ready"]',
    '      interval: 500ms',
    '      retries: 30',
    '    stop_grace_period: 1s',
    '  web:',
    '    build: ./web',
    '    depends_on:',
    '      db: { condition: service_healthy }',
    '    stop_grace_period: 1s',
    '  app:',
    `    image: ${IMAGE_V1}`,
    `    command: ["sh", "-c", "${IDLE}"]`,
    '    volumes:',
    '      - ./conf/app.conf:/etc/app.conf:ro',
    '    stop_grace_period: 1s',
    '',
  ].join('\n');
  return {
    [`${DIR}/compose.yaml`]: compose,
    [`${DIR}/web/Dockerfile`]: `FROM ${IMAGE_V1}\nCOPY msg.txt /msg.txt\nCMD ["sh", "-c", "${IDLE.replace(/"/g, '\\"')}"]\n`,
    [`${DIR}/web/msg.txt`]: 'hello v1\n',
    [`${DIR}/conf/app.conf`]: 'port=80\n',
  };
}

/** A file's text in a running container, through the engine's exec API. */
async function cat(id: string, file: string): Promise<string> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['cat', file], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => stream.on('end', resolve));
  // the multiplexed stream: an 8-byte header before each frame
  const raw = Buffer.concat(chunks);
  let text = '';
  for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4))
    text += raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4)).toString();
  return text;
}

const idOf = (ids: Record<string, string[]>, service: string) => ids[service]![0]!.split(':')[1]!;

describe('a compose stack from git: build, config file, service_healthy (docker + git over HTTP)', function () {
  this.timeout(180_000);
  const project = uniqueProject('compose-stack');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];
  let tag: string;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, stack());
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-compose-stack-'));
    flags = ['--repo', repo.url, '--ref', 'main', '--path', DIR, '--project', project];
    flags.push('--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`);
  });

  after(async () => {
    await cleanupProject(project);
    const built = await docker.listImages({ filters: { label: [`bosun.project=${project}`] } });
    for (const image of built) await docker.getImage(image.Id).remove({ force: true });
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('dry-run says "build web from …" and builds nothing, creates nothing', async () => {
    const r = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(r.code, 2, r.stderr);
    const m = /\+ build web from \.\/stacks\/shop\/web@([0-9a-f]{12}) — image (\S+) missing/.exec(r.stdout);
    assert.ok(m, r.stdout);
    tag = m[2]!;
    assert.equal(tag, `${project}-web:${m[1]}`);
    assert.match(r.stdout, /app: \.\/stacks\/shop\/conf\/app\.conf copied in at \/etc\/app\.conf \(a copy/);
    await assert.rejects(docker.getImage(tag).inspect(), 'a dry-run builds nothing');
    assert.deepEqual(await containerIds(project), {});
  });

  it('converges through the CLI: db healthy before web starts, the copy and the built file in place', async () => {
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.match(r.stdout, /release 1 succeeded/);
    const ids = await containerIds(project);
    assert.deepEqual(Object.keys(ids).sort(), ['app', 'db', 'web']);
    const [db, web] = await Promise.all(['db', 'web'].map((s) => docker.getContainer(idOf(ids, s)).inspect()));
    assert.equal(db!.State.Health?.Status, 'healthy');
    const waited = Date.parse(web!.State.StartedAt) - Date.parse(db!.State.StartedAt);
    assert.ok(waited >= DB_WARMUP_S * 1000, `web started ${waited} ms after db: it did not wait for db healthy`);
    assert.equal(web!.Config.Image, tag);
    assert.equal(await cat(idOf(ids, 'web'), '/msg.txt'), 'hello v1\n');
    assert.equal(await cat(idOf(ids, 'app'), '/etc/app.conf'), 'port=80\n');
    const again = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(again.code, 0, `a second pass has nothing to do:\n${again.stdout}`);
  });

  it('a changed config file in git replaces only its reader', async () => {
    const before = await containerIds(project);
    await repo.commit({ [`${DIR}/conf/app.conf`]: 'port=81\n' });
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /build web/);
    const after = await containerIds(project);
    assert.deepEqual(after.db, before.db);
    assert.deepEqual(after.web, before.web);
    assert.notDeepEqual(after.app, before.app);
    assert.equal(await cat(idOf(after, 'app'), '/etc/app.conf'), 'port=81\n');
  });

  it('a changed file of the build context: the dry-run names the build, the apply rebuilds and replaces only web', async () => {
    const before = await containerIds(project);
    await repo.commit({ [`${DIR}/web/msg.txt`]: 'hello v2\n' });
    const dry = await bosun(['reconcile', ...flags, '--dry-run']);
    const m = /\+ build web from \S+ — image (\S+) missing/.exec(dry.stdout);
    assert.ok(m && m[1] !== tag, dry.stdout);
    await assert.rejects(docker.getImage(m[1]!).inspect(), 'the dry-run built nothing');
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const after = await containerIds(project);
    assert.deepEqual(after.db, before.db);
    assert.deepEqual(after.app, before.app);
    assert.notDeepEqual(after.web, before.web);
    assert.equal((await docker.getContainer(idOf(after, 'web')).inspect()).Config.Image, m[1]);
    assert.equal(await cat(idOf(after, 'web'), '/msg.txt'), 'hello v2\n');
  });
});
