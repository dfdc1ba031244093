import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1 } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

const DIR = 'stacks/bk';
const IDLE = `trap 'exit 0' TERM; while true; do sleep 1; done`;
const COMPOSE = [
  'services:',
  '  web:',
  '    build: ./web',
  `    command: ["sh", "-c", "${IDLE}"]`,
  '    stop_grace_period: 1s',
  '',
].join('\n');
/** RUN --mount: BuildKit-only, and known to Docker 20.10's built-in Dockerfile frontend */
const MOUNT = `FROM ${IMAGE_V1}\nRUN --mount=type=tmpfs,target=/t echo built-by-buildkit > /t/x && cp /t/x /msg.txt\n`;
/** RUN <<EOF: BuildKit-only, and newer than Docker 20.10's frontend (dockerfile 1.4) */
const HEREDOC = `FROM ${IMAGE_V1}\nRUN <<EOF\necho from-heredoc > /msg.txt\nEOF\n`;

async function exec(id: string, cmd: string[]): Promise<string> {
  const e = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await e.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  await new Promise((resolve) => stream.on('end', resolve));
  const raw = Buffer.concat(chunks);
  let text = '';
  for (let at = 0; at + 8 <= raw.length; at += 8 + raw.readUInt32BE(at + 4))
    text += raw.subarray(at + 8, at + 8 + raw.readUInt32BE(at + 4)).toString();
  return text;
}

describe('compose build: BuildKit-only Dockerfiles on the engine (docker + git over HTTP)', function () {
  this.timeout(120_000);
  const project = `c13b-bk-${randomBytes(3).toString('hex')}`;
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, { [`${DIR}/compose.yaml`]: COMPOSE, [`${DIR}/web/Dockerfile`]: MOUNT });
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-c13b-bk-'));
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

  it('RUN --mount builds with BuildKit, its steps shown readably, and the stack converges', async () => {
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const out = r.stdout + r.stderr;
    assert.match(out, /web \| \[2\/2\] RUN --mount=type=tmpfs,target=\/t echo built-by-buildkit/, out);
    assert.doesNotMatch(out, /moby\.buildkit\.trace/);
    const ids = await containerIds(project);
    const id = ids.web![0]!.split(':')[1]!;
    assert.equal(await exec(id, ['cat', '/msg.txt']), 'built-by-buildkit\n');
  });

  it("RUN <<EOF, which this engine's frontend lacks, fails at apply with the engine's message; nothing is replaced", async () => {
    const before = await containerIds(project);
    await repo.commit({ [`${DIR}/web/Dockerfile`]: HEREDOC });
    const r = await bosun(['reconcile', ...flags]);
    assert.notEqual(r.code, 0, r.stdout);
    assert.match(r.stderr, /build of \S+ failed: .*dockerfile parse error line 3: unknown instruction: ECHO/, r.stderr);
    assert.match(r.stderr, /Dockerfile:2:5 uses RUN <<EOF/, r.stderr);
    assert.deepEqual(await containerIds(project), before, 'the running container was not replaced');
  });
});
