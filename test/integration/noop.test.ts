import { strict as assert } from 'node:assert';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcile } from '../../src/session/reconcile.ts';
import type { Backend } from '../../src/backends/backend.ts';
import { acquireApplyLock } from '../../src/coord/lock.ts';
import type { KvStore } from '../../src/ports.ts';
import { writePin, clearPin } from '../../src/release/pin.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { FileKv } from '../../src/store/file.ts';
import { cleanupProject, docker, ensureTestImages, IMAGE_V1, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { git } from '../helpers/git-server.ts';
import { localDocker, testSession } from '../helpers/session.ts';
import { testSealer } from '../helpers/state-key.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
const WRITES = new Set(['put', 'putIf', 'delete']);

function serviceYaml(name: string, image: string, level: string): string {
  return `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  image: ${image}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  env: { LEVEL: "${level}" }\n`;
}

/** Every KvStore method called, by name: a pass with nothing to do must not write. */
function counted(kv: KvStore): { kv: KvStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => (
        calls.push(String(prop)), (value as (...a: unknown[]) => unknown).apply(target, args)
      );
    },
  });
  return { kv: proxy, calls };
}

/**
 * What a pass costs when little or nothing changed: no lock and no write for a no-op, and image
 * lookups only for the services a change creates or replaces.
 */
describe('reconcile: no-op and small changes (docker + local repo + embedded store)', function () {
  this.timeout(120_000);
  const project = uniqueProject('noop');
  let dir: string;
  let fileKv: FileKv;

  async function commit(levels: Record<string, string>, images: Record<string, string> = {}): Promise<void> {
    for (const [name, level] of Object.entries(levels))
      await writeFile(join(dir, 'repo', `${name}.yaml`), serviceYaml(name, images[name] ?? IMAGE_V1, level));
    await git(join(dir, 'repo'), 'add', '-A');
    await git(join(dir, 'repo'), 'commit', '-q', '-m', 'change');
  }

  const pass = (over: { kv?: KvStore; backend?: Backend } = {}) =>
    reconcile(
      testSession(
        over.kv ?? fileKv,
        { repo: join(dir, 'repo'), cacheDir: join(dir, 'cache') },
        { lockWaitMs: 0, backend: over.backend },
      ),
      { dryRun: false, trigger: 'cli' },
    );

  before(async () => {
    await ensureTestImages();
    dir = await mkdtemp(join(tmpdir(), 'bosun-noop-'));
    await mkdir(join(dir, 'repo'));
    await git(join(dir, 'repo'), 'init', '-q', '-b', 'main');
    await writeFile(
      join(dir, 'repo', 'bosun.yaml'),
      `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    );
    await commit({ a: '1', b: '1', c: '1', d: '1' }, { d: IMAGE_V2 });
    fileKv = new FileKv(join(dir, 'state'));
    const first = await pass();
    assert.equal(first.release?.status, 'succeeded');
  });
  after(async () => {
    await cleanupProject(project);
    await fileKv?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('a no-op takes no lock and writes nothing: it even passes while another process holds the lock', async () => {
    const held = await acquireApplyLock(fileKv, project, 'someone@elsewhere:42', { waitMs: 0 });
    try {
      const { kv, calls } = counted(fileKv);
      const r = await pass({ kv });
      assert.equal(r.plan.operations.length, 0);
      assert.equal(r.release, undefined);
      assert.deepEqual(
        calls.filter((c) => WRITES.has(c)),
        [],
        `store calls: ${calls.join(', ')}`,
      );
      // this stack has no Config to list: a list would be the releases, read in full
      assert.ok(!calls.includes('list'), `store calls: ${calls.join(', ')}`);
    } finally {
      await held.release();
    }
  });

  it('a pinned stack with changes in git is planned, not applied, without the lock', async () => {
    await commit({ a: 'pinned' });
    await writePin(fileKv, testSealer(), project, { release: 1, at: new Date().toISOString(), by: 'tester@host' });
    const held = await acquireApplyLock(fileKv, project, 'someone@elsewhere:42', { waitMs: 0 });
    try {
      const { kv, calls } = counted(fileKv);
      const r = await pass({ kv });
      assert.equal(r.pinned?.release, 1);
      assert.equal(r.plan.summary.replace, 1);
      assert.equal(r.release, undefined);
      assert.deepEqual(
        calls.filter((c) => WRITES.has(c)),
        [],
      );
    } finally {
      await held.release();
      await clearPin(fileKv, project);
    }
  });

  it('resolves only the images of services being created or replaced, each distinct image once', async () => {
    await commit({ a: '2', b: '2' });
    const inspected: string[] = [];
    const spy = localDocker();
    const ensureImage = spy.engine.ensureImage.bind(spy.engine);
    spy.engine.ensureImage = (ref: string) => (inspected.push(ref), ensureImage(ref));
    const r = await pass({ backend: spy });
    assert.equal(r.plan.summary.replace, 2);
    assert.deepEqual(inspected, [IMAGE_V1]);
    const [v1, v2] = await Promise.all([IMAGE_V1, IMAGE_V2].map(async (i) => (await docker.getImage(i).inspect()).Id));
    assert.deepEqual(
      r.release?.images,
      { a: v1, b: v1, c: v1, d: v2 },
      'services left alone are recorded with the image they run',
    );
  });

  it('a release left applying by a dead process is marked interrupted by the next pass, even a no-op', async () => {
    const releases = new ReleaseStore(fileKv, testSealer());
    const {
      number: _n,
      status: _s,
      startedAt: _t,
      finishedAt: _f,
      error: _e,
      ...draft
    } = (await releases.newest(project))!;
    const crashed = await releases.begin({ ...draft, trigger: 'cli', actor: 'ghost@host' });
    const r = await pass();
    assert.equal(r.plan.operations.length, 0);
    const after = await releases.get(project, crashed.number);
    assert.equal(after.status, 'interrupted');
    assert.match(after.error?.message ?? '', /ghost@host.*stopped before it finished/);
  });
});
