import { strict as assert } from 'node:assert';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BosunError } from '../../src/errors.ts';
import { fetchArtifact } from '../../src/source/git.ts';
import { indexPack } from '../../src/source/pack-index.ts';
import { git, startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

async function failure(fn: () => Promise<unknown>): Promise<BosunError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof BosunError, `expected a BosunError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/**
 * Git's own rules, against a real smart-HTTP server: which ref a name means, what a dangling
 * remote HEAD does, and that what bosun writes into its cache is what git itself would write.
 */
describe('git source rails (integration, real smart-HTTP server)', function () {
  this.timeout(60_000);
  let server: GitServer;
  let cleanup: string[] = [];

  before(async () => {
    server = await startGitServer();
  });
  after(async () => {
    await server?.close();
  });
  afterEach(async () => {
    await Promise.all(cleanup.map((p) => rm(p, { recursive: true, force: true })));
    cleanup = [];
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'gitr-rails-'));
    cleanup.push(dir);
    return dir;
  }

  async function repo(name: string, files: Record<string, string>): Promise<TestRepo> {
    const r = await server.createRepo(`gitr-${name}`, files);
    cleanup.push(r.workdir, join(server.root, `gitr-${name}.git`));
    return r;
  }

  it('a bare name means the tag before a branch of the same name, as git rev-parse does; full refs pick either', async () => {
    const r = await repo('order', { 'a.yaml': 'at: tag\n' });
    await r.tag('v1.0');
    const tagged = await r.head();
    const onMain = await r.commit({ 'a.yaml': 'at: branch\n' });
    await git(r.workdir, 'branch', 'v1.0');
    await git(r.workdir, 'push', '--quiet', 'origin', 'refs/heads/v1.0:refs/heads/v1.0');
    const cacheDir = await tempDir();
    const at = async (ref: string) => (await fetchArtifact({ repo: r.url, ref, cacheDir })).revision;
    assert.equal(await at('v1.0'), tagged);
    assert.equal(await at('refs/tags/v1.0'), tagged);
    assert.equal(await at('tags/v1.0'), tagged);
    assert.equal(await at('refs/heads/v1.0'), onMain);
    assert.equal(await at('heads/v1.0'), onMain);
    // a sha on a fresh cache: the default branch is fetched, and it is found there
    const fresh = await tempDir();
    assert.equal((await fetchArtifact({ repo: r.url, ref: tagged, cacheDir: fresh })).revision, tagged);
    // the same order for a repo read in place
    assert.equal((await fetchArtifact({ repo: r.workdir, ref: 'v1.0', cacheDir })).revision, tagged);
    assert.equal((await fetchArtifact({ repo: r.workdir, ref: 'refs/heads/v1.0', cacheDir })).revision, onMain);
  });

  it('serves a `git init --bare` repo whose HEAD names a branch never pushed when --ref is given; without it, names the branches', async () => {
    const bare = join(server.root, 'gitr-dangling.git');
    cleanup.push(bare);
    // what Debian's git does without --initial-branch: HEAD → master
    await git(server.root, '-c', 'init.defaultBranch=master', 'init', '--quiet', '--bare', bare);
    await git(bare, 'config', 'http.receivepack', 'true');
    const work = await tempDir();
    await git(work, 'init', '--quiet', '--initial-branch=main');
    await writeFile(join(work, 'a.yaml'), 'v: 1\n');
    await git(work, 'add', '-A');
    await git(work, 'commit', '--quiet', '-m', 'first');
    await git(work, 'push', '--quiet', server.url('gitr-dangling'), 'main', 'main:refs/heads/dev');
    assert.equal((await readFile(join(bare, 'HEAD'), 'utf8')).trim(), 'ref: refs/heads/master');

    const cacheDir = await tempDir();
    const art = await fetchArtifact({ repo: server.url('gitr-dangling'), ref: 'main', cacheDir });
    assert.equal(art.revision, await git(work, 'rev-parse', 'HEAD'));
    const local = await failure(() => fetchArtifact({ repo: bare, cacheDir }));
    assert.equal(
      local.message,
      `the HEAD of ${bare} names no branch that exists (its branches: dev, main); pass --ref with a branch or tag`,
    );
    assert.equal((await fetchArtifact({ repo: bare, ref: 'main', cacheDir })).revision, art.revision);
    const err = await failure(() => fetchArtifact({ repo: server.url('gitr-dangling'), cacheDir }));
    assert.equal(err.code, 'E_GIT_REF');
    assert.equal(
      err.message,
      `the remote HEAD of ${server.url('gitr-dangling')} names no branch that exists (its branches: dev, main); pass --ref with a branch or tag`,
    );
  });

  it('refuses a tag naming a blob from its header, without reading it', async () => {
    const r = await repo('blob-tag', { 'a.yaml': 'v: 1\n' });
    const blob = await git(r.workdir, 'rev-parse', 'HEAD:a.yaml');
    await git(r.workdir, 'tag', 'just-a-blob', blob);
    await git(r.workdir, 'push', '--quiet', 'origin', 'refs/tags/just-a-blob');
    const err = await failure(() => fetchArtifact({ repo: r.url, ref: 'just-a-blob', cacheDir: r.workdir + '-cache' }));
    cleanup.push(`${r.workdir}-cache`);
    assert.equal(err.code, 'E_GIT_REF');
    assert.equal(err.message, `ref "just-a-blob" names a blob, not a commit, in ${r.url}`);
  });

  it('indexes a pack full of deltas byte for byte as git index-pack does', async () => {
    const dir = await tempDir();
    await git(dir, 'init', '--quiet', '--initial-branch=main');
    const lines = Array.from({ length: 400 }, (_, i) => `line ${i} ${'x'.repeat(i % 50)}`);
    for (let n = 0; n < 30; n++) {
      lines[n * 7] = `changed in commit ${n}`;
      await writeFile(join(dir, 'file.txt'), lines.join('\n'));
      await writeFile(join(dir, 'other.txt'), lines.slice(n).join('\n'));
      await git(dir, 'add', '-A');
      await git(dir, 'commit', '--quiet', '-m', `commit ${n}`);
    }
    await git(dir, 'repack', '-adq', '--depth=10', '--window=10');
    const packs = join(dir, '.git', 'objects', 'pack');
    const name = (await readdir(packs)).find((n) => n.endsWith('.pack'))!;
    const pack = await readFile(join(packs, name));
    const gitIdx = await readFile(join(packs, name.replace(/\.pack$/, '.idx')));
    const verify = await git(dir, 'verify-pack', '-v', join(packs, name));
    assert.match(verify, /chain length = [2-9]/, 'the pack holds delta chains');
    const mine = await indexPack(pack);
    assert.equal(`pack-${mine.name}.pack`, name);
    assert.ok(mine.idx.equals(gitIdx), 'the same .idx bytes');
  });
});
