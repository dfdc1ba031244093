/**
 * readFolder keeps files over its 10 MiB read limit out of memory and lists them as skipped.
 * A manifest among them must stop the run (bosun would otherwise see its services as deleted
 * and prune them); other files are never read by bosun, so they may stay out quietly.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadDesiredState, projectNameOf } from '../../src/formats/index.ts';
import type { Artifact } from '../../src/ports.ts';
import { MAX_FILE_BYTES, readFolder } from '../../src/source/tree.ts';
import { git } from '../helpers/git-server.ts';

async function commit(dir: string, files: Record<string, string | Buffer>): Promise<string> {
  for (const [rel, content] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(dir, rel)), { recursive: true });
    await fs.writeFile(path.join(dir, rel), content);
  }
  await git(dir, 'add', '-A');
  await git(dir, 'commit', '--quiet', '-m', 'files');
  return git(dir, 'rev-parse', 'HEAD');
}

const PROJECT = 'apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: shop\n';

describe('source tree: files past the read limit', function () {
  this.timeout(60_000);
  let dir: string;
  const store = () => ({ gitdir: path.join(dir, '.git'), cache: {}, display: dir });
  const big = Buffer.alloc(MAX_FILE_BYTES + 1, 'x');

  async function artifactAt(sha: string, folder: string): Promise<Artifact> {
    return { repo: dir, ref: 'main', revision: sha, path: folder, ...(await readFolder(store(), sha, folder, 'main')) };
  }

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-tree-'));
    await git(dir, 'init', '--quiet', '--initial-branch=main');
  });

  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('lists a file it did not read, relative to the folder, with its size', async () => {
    const sha = await commit(dir, { 'deploy/web.yaml': 'kind: x\n', 'deploy/svc/big.yml': big });
    const folder = await readFolder(store(), sha, 'deploy', 'main');
    assert.deepEqual([...folder.files.keys()], ['web.yaml']);
    assert.deepEqual(folder.skipped, [{ path: 'svc/big.yml', bytes: big.length }]);
  });

  it('a manifest it did not read refuses the whole folder, named from the repo root', async () => {
    const sha = await commit(dir, {
      'deploy/bosun.yaml': PROJECT,
      'deploy/svc/big.yml': big,
      'deploy/web.yaml': 'kind: x\n',
    });
    const artifact = await artifactAt(sha, 'deploy');
    const expected = `1 manifest error:\ndeploy/svc/big.yml:1:1 file too large (${big.length} bytes, the limit is 1 MiB)`;
    assert.throws(() => loadDesiredState(artifact), { name: 'ManifestError', message: expected });
    assert.throws(() => projectNameOf(artifact), { name: 'ManifestError', message: expected });
  });

  it('leaves out other large files, and YAML in dot-directories, without failing', async () => {
    const sha = await commit(dir, { 'web.yaml': PROJECT, 'blob.bin': big, '.github/huge.yaml': big });
    const artifact = await artifactAt(sha, '');
    assert.deepEqual([...artifact.files.keys()], ['web.yaml']);
    assert.deepEqual(artifact.skipped!.map((f) => f.path).sort(), ['.github/huge.yaml', 'blob.bin']);
    assert.equal(loadDesiredState(artifact).project.name, 'shop');
  });
});

describe('source tree: reading a new revision reuses unchanged subfolders', function () {
  this.timeout(60_000);
  let dir: string;
  const store = () => ({ gitdir: path.join(dir, '.git'), cache: {}, display: dir });

  before(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-tree-reuse-'));
    await git(dir, 'init', '--quiet', '--initial-branch=main');
  });
  after(() => fs.rm(dir, { recursive: true, force: true }));

  it('gives what a fresh read gives, with the tree ids of every folder, copying unchanged ones', async () => {
    const one = await commit(dir, { 'stacks/a/x.yaml': 'a: 1\n', 'stacks/b/y.yaml': 'b: 1\n', 'top.txt': 't' });
    const first = await readFolder(store(), one, '', 'main');
    const two = await commit(dir, { 'stacks/b/y.yaml': 'b: 2\n', 'stacks/b/z/new.yaml': 'n\n' });
    const fresh = await readFolder(store(), two, '', 'main');
    const reused = await readFolder(store(), two, '', 'main', first);
    assert.deepEqual(reused, fresh);
    assert.equal(Buffer.from(reused.files.get('stacks/b/y.yaml')!).toString(), 'b: 2\n');
    assert.deepEqual([...reused.trees.keys()].sort(), ['stacks', 'stacks/a', 'stacks/b', 'stacks/b/z']);
    assert.equal(reused.trees.get('stacks/a'), first.trees.get('stacks/a'));
    assert.notEqual(reused.trees.get('stacks/b'), first.trees.get('stacks/b'));
    // the unchanged folder's bytes are the very same objects: copied, not read again
    assert.equal(reused.files.get('stacks/a/x.yaml'), first.files.get('stacks/a/x.yaml'));
  });
});
