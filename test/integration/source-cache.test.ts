import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clearDesiredCache, loadDesiredCached } from '../../src/session/desired-cache.ts';
import { ManifestError } from '../../src/errors.ts';
import type { Artifact } from '../../src/ports.ts';
import { clearArtifactCache } from '../../src/source/artifact-cache.ts';
import { fetchArtifact, MAX_FILE_BYTES } from '../../src/source/git.ts';
import { git } from '../helpers/git-server.ts';

const text = (a: Artifact, key: string) => Buffer.from(a.files.get(key)!).toString('utf8');

const service = (name: string, image: string) =>
  `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  image: ${image}\n`;

/**
 * The in-process caches keyed by the manifest folder's tree oid: a pass over an unchanged
 * folder reuses the files and the validated desired state; any change under it reads again.
 */
describe('artifact and desired-state caches (local repo)', () => {
  let dir: string;
  const source = () => ({ repo: dir, path: 'deploy', cacheDir: join(dir, '.cache') });

  async function commit(files: Record<string, string>): Promise<string> {
    for (const [rel, body] of Object.entries(files)) {
      await mkdir(join(dir, rel, '..'), { recursive: true });
      await writeFile(join(dir, rel), body);
    }
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', 'change');
    return git(dir, 'rev-parse', 'HEAD');
  }

  beforeEach(async () => {
    clearArtifactCache();
    clearDesiredCache();
    dir = await mkdtemp(join(tmpdir(), 'bosun-source-cache-'));
    await git(dir, 'init', '-q', '-b', 'main');
    await commit({
      'README.md': '# ops\n',
      'deploy/bosun.yaml': 'apiVersion: bosun/v1\nkind: Project\nmetadata: { name: cached }\n',
      'deploy/web.yaml': service('web', 'nginx:1'),
    });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reuses the files and the desired state while the folder tree is unchanged, even across commits', async () => {
    const first = await fetchArtifact(source());
    const sha = await commit({ 'README.md': '# ops, edited outside the folder\n' });
    const second = await fetchArtifact(source());
    assert.equal(second.revision, sha);
    assert.notEqual(second.revision, first.revision);
    assert.equal(second.tree, first.tree);
    assert.equal(second.files.get('web.yaml'), first.files.get('web.yaml'), 'the same bytes, not read again');
    assert.equal(loadDesiredCached(second), loadDesiredCached(first), 'validated once');
  });

  it('reads and validates again when anything under the folder changes', async () => {
    const first = await fetchArtifact(source());
    const before = loadDesiredCached(first);
    await commit({ 'deploy/web.yaml': service('web', 'nginx:2') });
    const second = await fetchArtifact(source());
    assert.notEqual(second.tree, first.tree);
    assert.equal(text(second, 'web.yaml'), service('web', 'nginx:2'));
    const after = loadDesiredCached(second);
    assert.notEqual(after, before);
    assert.deepEqual(
      after.services.map((s) => s.image),
      ['nginx:2'],
    );
    assert.deepEqual(
      before.services.map((s) => s.image),
      ['nginx:1'],
      'what an earlier pass planned is not changed',
    );
  });

  it('an older ref whose tree was cached earlier is served from its own content', async () => {
    const old = await git(dir, 'rev-parse', 'HEAD');
    await fetchArtifact(source());
    await commit({ 'deploy/web.yaml': service('web', 'nginx:2') });
    await fetchArtifact(source());
    const back = await fetchArtifact({ ...source(), ref: old });
    assert.equal(text(back, 'web.yaml'), service('web', 'nginx:1'));
    assert.deepEqual(
      loadDesiredCached(back).services.map((s) => s.image),
      ['nginx:1'],
    );
  });

  it('a caller editing its artifact or desired state cannot change what the next pass gets', async () => {
    const first = await fetchArtifact(source());
    first.files.set('extra.yaml', new TextEncoder().encode(service('extra', 'nginx:1')));
    const desired = loadDesiredCached(first);
    assert.throws(() => desired.services.push(desired.services[0]!), TypeError);
    const second = await fetchArtifact(source());
    assert.deepEqual([...second.files.keys()].sort(), ['bosun.yaml', 'web.yaml']);
  });

  it('a cached folder still lists the files too large to read, and still refuses a manifest among them', async () => {
    await commit({ 'deploy/big.yaml': 'x'.repeat(MAX_FILE_BYTES + 1) });
    const first = await fetchArtifact(source());
    first.skipped!.length = 0;
    const second = await fetchArtifact(source());
    assert.equal(second.tree, first.tree);
    assert.equal(second.files.get('web.yaml'), first.files.get('web.yaml'), 'served from the cache');
    assert.deepEqual(second.skipped, [{ path: 'big.yaml', bytes: MAX_FILE_BYTES + 1 }]);
    assert.throws(() => loadDesiredCached(second), {
      message: `1 manifest error:\ndeploy/big.yaml:1:1 file too large (${MAX_FILE_BYTES + 1} bytes, the limit is 1 MiB)`,
    });
  });

  it('keys the desired state by --project too, and never remembers an invalid one', async () => {
    const artifact = await fetchArtifact(source());
    assert.equal(loadDesiredCached(artifact, { project: 'other' }).project.name, 'other');
    assert.equal(loadDesiredCached(artifact).project.name, 'cached');
    assert.throws(() => loadDesiredCached(artifact, { project: 'Not Valid' }), ManifestError);
    assert.throws(() => loadDesiredCached(artifact, { project: 'Not Valid' }), ManifestError);
  });
});
