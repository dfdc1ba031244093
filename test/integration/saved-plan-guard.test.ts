import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { present, stackFiles } from '../helpers/stack.ts';

type SavedFile = {
  format: string;
  plan: {
    repo: string;
    ref: string;
    desired: { services: { name: string; image: string; volumes: unknown[] }[] };
    operations: Record<string, unknown>[];
  };
};

/** Issue 12 item 8: a saved plan is re-derived from git; an edited file is refused and nothing runs. */
describe('saved plans are verified against git (docker + git over HTTP + embedded store)', function () {
  this.timeout(120_000);
  let server: GitServer;
  let tmp: string;
  const project = uniqueProject('whr-plan');
  let flags: string[];
  let planFile: string;
  let base: SavedFile;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-whr-plan-'));
    const repo = await server.createRepo(project, present(stackFiles(project, { worker: false, webReplicas: 1 })));
    flags = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    const first = await bosun(['reconcile', ...flags]);
    assert.equal(first.code, 0, first.stderr);
    await repo.commit(stackFiles(project, { worker: false, webReplicas: 1, level: 'debug' }), 'level debug');
    planFile = path.join(tmp, 'plan.json');
    const made = await bosun(['reconcile', ...flags, '--dry-run', '--out', planFile]);
    assert.equal(made.code, 0, made.stderr);
    base = JSON.parse(await fs.readFile(planFile, 'utf8')) as SavedFile;
  });
  after(async () => {
    await cleanupProject(project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /** Writes an edited copy of the saved plan, applies it, and checks that nothing changed. */
  async function refused(name: string, edit: (f: SavedFile) => void, expected: RegExp): Promise<void> {
    const copy = structuredClone(base);
    edit(copy);
    const file = path.join(tmp, `${name}.json`);
    await fs.writeFile(file, JSON.stringify(copy));
    const before = await containerIds(project);
    const r = await bosun(['apply', file, ...flags]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, expected);
    assert.deepEqual(await containerIds(project), before, `${name}: no container changed`);
    const releases = JSON.parse((await bosun(['releases', ...flags, '-o', 'json'])).stdout) as unknown[];
    assert.equal(releases.length, 1, `${name}: no release recorded`);
  }

  const web = (f: SavedFile) => f.plan.desired.services.find((s) => s.name === 'web')!;

  it('refuses a bind mount of /etc injected into the file', () =>
    refused(
      'etc-mount',
      (f) => web(f).volumes.push({ hostPath: '/etc', target: '/host-etc', readOnly: false }),
      /saved plan was refused and nothing was applied: its desired state differs from git at [0-9a-f]{12} at services\[\d\]\.volumes/,
    ));

  it('refuses another image written into the file', () =>
    refused(
      'image',
      (f) => (web(f).image = IMAGE_V2),
      /nothing was applied: its desired state differs from git .* at services\[\d\]\.image/,
    ));

  it('refuses a plan naming another repo or ref than the invocation', async () => {
    await refused(
      'repo',
      (f) => (f.plan.repo = 'http://127.0.0.1:9/evil.git'),
      /names the repo http:\/\/127\.0\.0\.1:9\/evil\.git, not/,
    );
    await refused('ref', (f) => (f.plan.ref = 'evil'), /made for the ref evil, not main/);
  });

  it('runs what git says, not operations edited in the file, and the untouched file applies', async () => {
    const copy = structuredClone(base);
    for (const op of copy.plan.operations) if (op.kind === 'put-key') op.value = 'forged';
    const file = path.join(tmp, 'ops.json');
    await fs.writeFile(file, JSON.stringify(copy));
    const r = await bosun(['apply', file, ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout, /forged/);
    const level = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(level.code, 0, `after the apply git and the host agree:\n${level.stdout}`);
    const ids = await containerIds(project);
    assert.equal(ids.web.length, 1);
  });
});
