/**
 * readFolder keeps files over its 10 MiB read limit out of memory. A manifest among them must
 * stop the run (bosun would otherwise see its services as deleted and prune them); other
 * files are never read by bosun, so they may stay out quietly.
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { formatIssue, ManifestError } from '../../src/errors.ts';
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

describe('source tree: files past the read limit', function () {
  this.timeout(60_000);
  let dir: string;
  const store = () => ({ gitdir: path.join(dir, '.git'), cache: {}, display: dir });
  const big = Buffer.alloc(MAX_FILE_BYTES + 1, 'x');

  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-tree-'));
    await git(dir, 'init', '--quiet', '--initial-branch=main');
  });

  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('refuses the whole folder when a manifest is too large, naming it', async () => {
    const sha = await commit(dir, { 'deploy/web.yaml': 'kind: x\n', 'deploy/svc/big.yml': big });
    const err = await readFolder(store(), sha, 'deploy', 'main').catch((e: unknown) => e);
    assert.ok(err instanceof ManifestError, String(err));
    assert.deepEqual(err.issues.map(formatIssue), [`deploy/svc/big.yml:1:1 file too large (${big.length} bytes, the limit is 1 MiB)`]);
  });

  it('leaves out other large files, and YAML in dot-directories, without failing', async () => {
    const sha = await commit(dir, { 'web.yaml': 'kind: x\n', 'blob.bin': big, '.github/huge.yaml': big });
    const files = await readFolder(store(), sha, '', 'main');
    assert.deepEqual([...files.keys()], ['web.yaml']);
  });
});
