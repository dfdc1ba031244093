import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { extract } from 'tar-stream';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
const DIR = 'stacks/shop';

/** A built service (web) and one that copies a file of the repo (app), in a folder of the repo. */
function stack(project: string): Record<string, string> {
  const service = (name: string, body: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  stopGracePeriod: 1s\n${body}`;
  return {
    [`${DIR}/bosun.yaml`]: `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
    [`${DIR}/web.yaml`]: service('web', '  build: { context: ./web }\n'),
    [`${DIR}/web/Dockerfile`]: dockerfile('COPY msg.txt /msg.txt'),
    [`${DIR}/web/msg.txt`]: 'hello v1\n',
    [`${DIR}/web/.dockerignore`]: 'notes.md\n',
    [`${DIR}/web/notes.md`]: 'not sent to the engine\n',
    [`${DIR}/app.yaml`]: service(
      'app',
      `  image: ${IMAGE_V1}\n  command: ${IDLE}\n  copies: [ { source: ./conf/app.conf, target: /etc/app.conf, readOnly: true } ]\n`,
    ),
    [`${DIR}/conf/app.conf`]: 'port=80\n',
  };
}

function dockerfile(step: string): string {
  return `FROM ${IMAGE_V1}\n${step}\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`;
}

/** One file of a container, with its mode, read through the engine's archive endpoint. */
async function fileIn(id: string, file: string): Promise<{ mode: number; text: string }> {
  const tar = await docker.getContainer(id).getArchive({ path: file });
  return new Promise((resolve, reject) => {
    const ex = extract();
    ex.on('entry', (header, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        resolve({ mode: (header.mode ?? 0) & 0o777, text: Buffer.concat(chunks).toString() });
        next();
      });
    });
    ex.on('error', reject);
    tar.pipe(ex);
  });
}

async function imageLabel(tag: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(tag).inspect()).Config.Labels?.['bosun.build.identity'];
  } catch {
    return undefined;
  }
}

const only = (ids: Record<string, string[]>, service: string) => ids[service]!.join(',');

describe('build and copies from the repo (docker + git over HTTP)', function () {
  this.timeout(180_000);
  const project = uniqueProject('build-copies');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];
  let tag: string;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, stack(project));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-build-copies-'));
    flags = ['--repo', repo.url, '--ref', 'main', '--path', DIR, '--state', `file:${tmp}/state`];
    flags.push('--cache-dir', `${tmp}/cache`);
  });

  after(async () => {
    await cleanupProject(project);
    const built = await docker.listImages({ filters: { label: [`bosun.project=${project}`] } });
    for (const image of built) await docker.getImage(image.Id).remove({ force: true });
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('dry-run shows the build step and the copy, and builds nothing', async () => {
    const r = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(r.code, 2, r.stderr);
    const m = /\+ build web from \.\/stacks\/shop\/web@([0-9a-f]{12}) — image (\S+) missing/.exec(r.stdout);
    assert.ok(m, r.stdout);
    tag = m[2]!;
    assert.equal(tag, `${project}-web:${m[1]}`);
    assert.match(
      r.stdout,
      /note: app: \.\/stacks\/shop\/conf\/app\.conf copied in at \/etc\/app\.conf \(a copy, not a live mount\)/,
    );
    assert.equal(await imageLabel(tag), undefined, 'a dry-run builds nothing');
    assert.deepEqual(await containerIds(project), {});
  });

  it('converges: the image built with its identity label, the copy in place read-only', async () => {
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /web \| Step 2\/\d+ : COPY msg\.txt \/msg\.txt/, `build progress is shown:\n${r.stdout}`);
    assert.match(r.stdout, /release 1 succeeded/);
    assert.match((await imageLabel(tag)) ?? '', new RegExp(`^${tag.split(':')[1]}[0-9a-f]{52}$`));
    const ids = await containerIds(project);
    const web = ids.web![0]!.split(':')[1]!;
    const app = ids.app![0]!.split(':')[1]!;
    assert.deepEqual(await fileIn(web, '/msg.txt'), { mode: 0o644, text: 'hello v1\n' });
    assert.deepEqual(await fileIn(app, '/etc/app.conf'), { mode: 0o444, text: 'port=80\n' });
    await assert.rejects(fileIn(web, '/notes.md'), 'the .dockerignore kept notes.md out of the context');
  });

  it('builds nothing and changes nothing on the next pass, nor for a change .dockerignore leaves out', async () => {
    await repo.commit({ [`${DIR}/web/notes.md`]: 'edited, and still ignored\n' });
    const r = await bosun(['reconcile', ...flags, '--detailed-exitcode']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.doesNotMatch(r.stdout, /\+ build /);
  });

  it('a changed copied file replaces only its reader, without a build', async () => {
    const before = await containerIds(project);
    await repo.commit({ [`${DIR}/conf/app.conf`]: 'port=81\n' });
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /build web/);
    const after = await containerIds(project);
    assert.equal(only(after, 'web'), only(before, 'web'));
    assert.notEqual(only(after, 'app'), only(before, 'app'));
    assert.equal((await fileIn(after.app![0]!.split(':')[1]!, '/etc/app.conf')).text, 'port=81\n');
  });

  it('a changed file of the build context rebuilds and replaces only that service', async () => {
    const before = await containerIds(project);
    await repo.commit({ [`${DIR}/web/msg.txt`]: 'hello v2\n' });
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const m = /\+ build web from \S+ — image (\S+) missing/.exec(r.stdout);
    assert.ok(m && m[1] !== tag, r.stdout);
    tag = m[1]!;
    const after = await containerIds(project);
    assert.equal(only(after, 'app'), only(before, 'app'));
    assert.notEqual(only(after, 'web'), only(before, 'web'));
    assert.equal((await fileIn(after.web![0]!.split(':')[1]!, '/msg.txt')).text, 'hello v2\n');
  });

  it("a broken Dockerfile fails with the engine's message before any container is replaced", async () => {
    const before = await containerIds(project);
    await repo.commit({
      [`${DIR}/web/Dockerfile`]: dockerfile('RUN echo broken-step; exit 7'),
      [`${DIR}/conf/app.conf`]: 'port=82\n',
    });
    const r = await bosun(['reconcile', ...flags]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /build of \S+ failed: .*returned a non-zero code: 7/);
    const releases = await bosun(['releases', ...flags, '--output', 'json']);
    assert.match(releases.stdout, /"code": "E_BUILD_FAILED"/, releases.stdout);
    assert.deepEqual(await containerIds(project), before, 'nothing was replaced, not even app');
  });
});
