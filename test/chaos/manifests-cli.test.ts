/**
 * A few corpus cases through the real binary, as a user meets them: committed to a local git
 * repo and reconciled with the embedded store. The command must fail with one `error:` line
 * (no stack trace) and write nothing: no container of the project, no key in the store.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { projectContainers, requireDocker, uniqueProject, cleanupProject } from '../helpers/docker.ts';
import { git } from '../helpers/git-server.ts';
import { HOSTILE, type Files } from './corpus/build.ts';
import { corpus } from './corpus/index.ts';

const CLI_CASES = [
  'alias/billion laughs (bosun doc)',
  'utf8/invalid byte on line 500',
  'path/hostPath ../../etc',
  'nest/flow seq 10000',
  'proto/spec.__proto__',
  'dup/spec.image',
];

/** Bigger than the git source's 10 MiB read limit, so it never reaches the manifest layer. */
const OVERSIZE_BYTES = 12 * 1024 * 1024;

async function commitRepo(dir: string, files: Files): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) await fs.writeFile(path.join(dir, rel), content);
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '--quiet', '-m', 'hostile');
}

function filesFor(id: string, project: string): Files {
  const c = corpus().find((x) => x.id === id);
  if (!c) throw new Error(`no corpus case ${id}`);
  return { ...c.files(), 'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n` };
}

/** Commits `files` for a fresh project, reconciles it with the CLI, and checks nothing was written. */
async function refuses(
  tmp: string,
  projects: string[],
  name: string,
  files: (project: string) => Files,
): Promise<void> {
  const project = uniqueProject('chaos');
  projects.push(project);
  const dir = path.join(tmp, project);
  await commitRepo(path.join(dir, 'repo'), files(project));
  const state = `file:${path.join(dir, 'state')}`;
  const r = await bosun([
    'reconcile',
    '--repo',
    path.join(dir, 'repo'),
    '--state',
    state,
    '--cache-dir',
    path.join(dir, 'cache'),
  ]);
  assert.equal(
    r.code,
    1,
    `${name}: exit ${r.code}\nstdout: ${r.stdout.slice(0, 500)}\nstderr: ${r.stderr.slice(0, 500)}`,
  );
  assert.match(r.stderr, /^error: /, `${name}: no error line: ${r.stderr.slice(0, 300)}`);
  assert.match(r.stderr, new RegExp(`${HOSTILE}:\\d+:\\d+`), `${name}: the error does not point at the file`);
  assert.doesNotMatch(r.stderr, /^\s+at /m, `${name}: stack trace printed`);
  assert.deepEqual(await projectContainers(project), [], `${name}: containers were created`);
  const kv = await openStore(state);
  try {
    assert.deepEqual(await kv.list(''), [], `${name}: the state store holds keys`);
  } finally {
    await kv.close();
  }
}

describe('hostile manifests through the CLI: exit 1, one error line, nothing written', function () {
  this.timeout(60_000);
  let tmp: string;
  const projects: string[] = [];

  before(async () => {
    await requireDocker();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-chaos-cli-'));
  });

  after(async () => {
    for (const p of projects) await cleanupProject(p);
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  for (const id of CLI_CASES) {
    it(id, () => refuses(tmp, projects, id, (project) => filesFor(id, project)));
  }

  // found by this corpus: the source drops files over 10 MiB silently, so the manifest layer
  // never sees this one and the rest of the repo is applied as if it did not exist
  it('size/12 MiB manifest committed to git', () =>
    refuses(tmp, projects, '12 MiB', (project) => ({
      ...filesFor('dup/spec.image', project),
      [HOSTILE]: `apiVersion: bosun/v1\nkind: Service\nmetadata: {name: web}\nspec: {image: a}\n#${'x'.repeat(OVERSIZE_BYTES)}\n`,
    })));
});
