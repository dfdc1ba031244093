import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BosunError } from '../../src/errors.ts';
import type { Artifact } from '../../src/ports.ts';
import { cachePath, fetchArtifact } from '../../src/source/git.ts';
import { git, startGitServer, type GitServer } from '../helpers/git-server.ts';

const text = (a: Artifact, key: string): string | undefined => {
  const bytes = a.files.get(key);
  return bytes === undefined ? undefined : Buffer.from(bytes).toString('utf8');
};

const keys = (a: Artifact): string[] => [...a.files.keys()].sort();

/** Runs `fn`, which must fail with a BosunError, and returns that error. */
async function failure(fn: () => Promise<unknown>): Promise<BosunError> {
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof BosunError, `expected a BosunError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the call to fail');
}

/** A port nothing listens on: bind an ephemeral one, then let it go. */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as { port: number };
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

const CLUSTER = {
  'README.md': '# demo\n',
  'examples/cluster-repo/app.yaml': 'kind: Service\nname: app\n',
  'examples/cluster-repo/sub/db.yaml': 'kind: Service\nname: db\n',
};

describe('git source (integration, real smart-HTTP server)', () => {
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

  async function tempCache(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'bosun-source-cache-'));
    cleanup.push(dir);
    return dir;
  }

  async function repo(name: string, files: Record<string, string> = CLUSTER) {
    const r = await server.createRepo(name, files);
    cleanup.push(r.workdir, join(server.root, `${name}.git`));
    return r;
  }

  it('fetches a URL at main: every committed file and the commit sha', async () => {
    const r = await repo('basic');
    const cacheDir = await tempCache();
    const art = await fetchArtifact({ repo: r.url, ref: 'main', cacheDir });
    assert.equal(art.revision, await r.head());
    assert.equal(art.ref, 'main');
    assert.equal(art.path, '');
    assert.equal(art.repo, r.url);
    assert.deepEqual(keys(art), ['README.md', 'examples/cluster-repo/app.yaml', 'examples/cluster-repo/sub/db.yaml']);
    assert.equal(text(art, 'examples/cluster-repo/sub/db.yaml'), CLUSTER['examples/cluster-repo/sub/db.yaml']);

    const byDefault = await fetchArtifact({ repo: r.url, cacheDir });
    assert.equal(byDefault.ref, 'HEAD');
    assert.equal(byDefault.revision, art.revision);
  });

  it('returns only the files under path, keyed relative to it, without symlinks', async () => {
    const r = await repo('paths');
    await symlink('app.yaml', join(r.workdir, 'examples/cluster-repo/link.yaml'));
    await r.commit({}, 'add a symlink');
    const cacheDir = await tempCache();
    const art = await fetchArtifact({ repo: r.url, path: '/examples//cluster-repo/', cacheDir });
    assert.equal(art.path, 'examples/cluster-repo');
    assert.deepEqual(keys(art), ['app.yaml', 'sub/db.yaml']);
    assert.equal(text(art, 'app.yaml'), CLUSTER['examples/cluster-repo/app.yaml']);

    const escaping = await failure(() => fetchArtifact({ repo: r.url, path: 'examples/../..', cacheDir }));
    assert.equal(escaping.code, 'E_GIT_PATH');
    const aFile = await failure(() => fetchArtifact({ repo: r.url, path: 'README.md', cacheDir }));
    assert.equal(aFile.code, 'E_GIT_PATH');
  });

  it('reuses the cache: later fetches are incremental and see new commits', async () => {
    const r = await repo('incremental');
    const cacheDir = await tempCache();
    const first = await fetchArtifact({ repo: r.url, cacheDir });
    const cloneDir = cachePath(cacheDir, r.url);
    assert.ok((await stat(join(cloneDir, 'objects'))).isDirectory(), 'the cache clone exists after the first fetch');
    // A re-clone would start from an empty directory and lose this file.
    await writeFile(join(cloneDir, 'sentinel'), 'kept');

    let t = performance.now();
    const noop = await fetchArtifact({ repo: r.url, cacheDir });
    const noopMs = performance.now() - t;
    assert.equal(noop.revision, first.revision);

    const sha = await r.commit({ 'examples/cluster-repo/app.yaml': 'kind: Service\nname: app2\n', 'README.md': null });
    t = performance.now();
    const next = await fetchArtifact({ repo: r.url, cacheDir });
    const oneCommitMs = performance.now() - t;
    console.log(`      no-op fetch ${noopMs.toFixed(1)} ms, one-commit fetch ${oneCommitMs.toFixed(1)} ms`);

    assert.equal(next.revision, sha);
    assert.notEqual(next.revision, first.revision);
    assert.equal(text(next, 'examples/cluster-repo/app.yaml'), 'kind: Service\nname: app2\n');
    assert.equal(next.files.has('README.md'), false);
    assert.equal(await readFile(join(cloneDir, 'sentinel'), 'utf8'), 'kept');
  });

  it('resolves annotated tags and full or abbreviated shas to older commits', async () => {
    const r = await repo('refs', { 'a.yaml': 'v: 1\n' });
    const v1 = await r.head();
    await r.tag('v1');
    const v2 = await r.commit({ 'a.yaml': 'v: 2\n' });
    const cacheDir = await tempCache();

    const head = await fetchArtifact({ repo: r.url, cacheDir });
    assert.equal(head.revision, v2);
    for (const ref of ['v1', 'refs/tags/v1', v1, v1.slice(0, 8)]) {
      const art = await fetchArtifact({ repo: r.url, ref, cacheDir });
      assert.equal(art.revision, v1, `ref ${ref}`);
      assert.equal(art.ref, ref);
      assert.equal(text(art, 'a.yaml'), 'v: 1\n', `ref ${ref}`);
    }
  });

  it('fails with E_GIT_REF for an unknown ref', async () => {
    const r = await repo('unknown-ref');
    const cacheDir = await tempCache();
    const err = await failure(() => fetchArtifact({ repo: r.url, ref: 'nope', cacheDir }));
    assert.equal(err.code, 'E_GIT_REF');
    assert.equal(err.disposition, 'stalled');
    assert.equal(err.message, `ref "nope" not found in ${r.url}`);
    const sha = await failure(() => fetchArtifact({ repo: r.url, ref: 'deadbeef'.repeat(5), cacheDir }));
    assert.equal(sha.code, 'E_GIT_REF');
  });

  it('fails with E_GIT_PATH for a path missing at that commit', async () => {
    const r = await repo('unknown-path');
    const cacheDir = await tempCache();
    const err = await failure(() => fetchArtifact({ repo: r.url, ref: 'main', path: 'missing/dir', cacheDir }));
    assert.equal(err.code, 'E_GIT_PATH');
    const short = (await r.head()).slice(0, 7);
    assert.equal(err.message, `path "missing/dir" not found in ${r.url} at main (${short})`);
  });

  it('fails with E_GIT_UNREACHABLE (retry) when the server is unreachable, without credentials', async () => {
    const port = await closedPort();
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const repoUrl = `http://bob:s3cret-pass@127.0.0.1:${port}/x.git`;
    const cacheDir = await tempCache();
    const err = await failure(() => fetchArtifact({ repo: repoUrl, token, cacheDir }));
    assert.equal(err.code, 'E_GIT_UNREACHABLE');
    assert.equal(err.disposition, 'retry');
    assert.equal(err.message, `could not fetch http://127.0.0.1:${port}/x.git: connection refused`);
    for (const secret of [token, 's3cret-pass', 'bob']) {
      assert.ok(!err.message.includes(secret) && !JSON.stringify(err.data).includes(secret), secret);
    }
  });

  it('never puts the token in an error message, nor credentials in the cache', async () => {
    const r = await repo('token');
    const token = `tok-${randomBytes(8).toString('hex')}`;
    const withUser = r.url.replace('http://', 'http://bob:pw-secret@');
    const cacheDir = await tempCache();
    const ok = await fetchArtifact({ repo: withUser, token, cacheDir });
    assert.equal(ok.revision, await r.head());
    const config = await readFile(join(cachePath(cacheDir, withUser), 'config'), 'utf8');
    assert.ok(!config.includes('pw-secret') && !config.includes(token), config);

    const errors = await Promise.all([
      failure(() => fetchArtifact({ repo: withUser, token, ref: 'nope', cacheDir })),
      failure(() => fetchArtifact({ repo: withUser, token, path: 'nope', cacheDir })),
      failure(() => fetchArtifact({ repo: server.url('does-not-exist'), token, cacheDir })),
    ]);
    assert.deepEqual(
      errors.map((e) => e.code),
      ['E_GIT_REF', 'E_GIT_PATH', 'E_GIT_FETCH'],
    );
    assert.match(errors[2]!.message, /HTTP 404/);
    for (const e of errors) {
      const shown = `${e.message} ${JSON.stringify(e.data)}`;
      assert.ok(!shown.includes(token) && !shown.includes('pw-secret'), shown);
    }
  });

  it('reads a local working copy: committed changes count, uncommitted edits do not', async () => {
    const r = await repo('local', { 'a.yaml': 'v: 1\n' });
    const cacheDir = await tempCache();
    await writeFile(join(r.workdir, 'a.yaml'), 'v: dirty\n');
    await writeFile(join(r.workdir, 'staged.yaml'), 'staged\n');
    await git(r.workdir, 'add', 'staged.yaml');
    await writeFile(join(r.workdir, 'untracked.yaml'), 'untracked\n');

    const before = await fetchArtifact({ repo: r.workdir, cacheDir });
    assert.equal(before.ref, 'HEAD');
    assert.equal(before.revision, await r.head());
    assert.deepEqual(keys(before), ['a.yaml']);
    assert.equal(text(before, 'a.yaml'), 'v: 1\n');

    const sha = await r.commit({ 'a.yaml': 'v: 2\n' });
    const after = await fetchArtifact({ repo: r.workdir, ref: 'main', cacheDir });
    assert.equal(after.revision, sha);
    assert.equal(text(after, 'a.yaml'), 'v: 2\n');
    assert.deepEqual(keys(after), ['a.yaml', 'staged.yaml', 'untracked.yaml']);

    const bare = await fetchArtifact({ repo: join(server.root, 'local.git'), ref: 'main', cacheDir });
    assert.equal(bare.revision, sha);
  });

  it('fails with E_GIT_FETCH (stalled) for a local path that is not a repository', async () => {
    const dir = await tempCache();
    const err = await failure(() => fetchArtifact({ repo: dir, cacheDir: dir }));
    assert.equal(err.code, 'E_GIT_FETCH');
    assert.equal(err.disposition, 'stalled');
    assert.match(err.message, /not a git repository/);
  });
});
