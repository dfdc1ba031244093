import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { git, startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

function project(p: string, allowEmpty = false): string {
  return `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${p} }\nspec:\n  paths: [services]\n${allowEmpty ? '  allowEmpty: true\n' : ''}`;
}

function service(name: string): string {
  return `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n`;
}

/** Issue 12, item 6: a revision that would remove every service is refused unless the Project allows it. */
describe('empty means empty on purpose (real Docker, etcd, git over HTTP)', function () {
  this.timeout(120_000);
  const p = uniqueProject('kemp-empty');
  let server: GitServer;
  let repo: TestRepo;
  let etcd: KvStore;
  let flags: string[];
  let tmp: string;
  let running: Record<string, string[]>;

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    repo = await server.createRepo(p, {
      'bosun.yaml': project(p),
      'services/web.yaml': service('web'),
      'services/db.yaml': service('db'),
    });
    etcd = await openStore(ETCD_URL);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-kemp-empty-'));
    flags = ['--repo', repo.url, '--state', ETCD_URL, '--cache-dir', `${tmp}/cache`];
    const up = await bosun(['reconcile', ...flags]);
    assert.equal(up.code, 0, up.stderr);
    running = await containerIds(p);
    assert.deepEqual(Object.keys(running).sort(), ['db', 'web']);
  });

  after(async () => {
    await cleanupProject(p);
    for (const e of await etcd.list(`/bosun/${p}/`)) await etcd.delete(e.key);
    await etcd?.close();
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  const refusal = (sha: string) =>
    `error: revision ${sha.slice(0, 12)} of project ${p} declares no services, but the project has 2 services (db, web): refused, nothing applied. A manifest folder that vanished looks like this; if removing every service is meant, set spec.allowEmpty: true on the Project (or run bosun down)\n`;

  it('refuses an emptied manifest folder, dry run or not, and leaves every container running', async () => {
    const sha = await repo.commit({ 'services/web.yaml': null, 'services/db.yaml': null }, 'empty the folder');
    for (const args of [['--dry-run'], []]) {
      const r = await bosun(['reconcile', ...flags, ...args]);
      assert.equal(r.code, 1, r.stdout);
      assert.equal(r.stderr, refusal(sha));
      assert.equal(r.stdout, '');
    }
    assert.deepEqual(await containerIds(p), running);
    assert.equal((await etcd.list(`/bosun/${p}/releases/`)).filter((e) => /\/\d+$/.test(e.key)).length, 1);
  });

  it('serve reports the refused revision as stalled and keeps the containers', async () => {
    const s = await startServe([
      '--repo',
      repo.url,
      '--ref',
      'main',
      '--state',
      ETCD_URL,
      '--cache-dir',
      `${tmp}/serve`,
    ]);
    try {
      const st = await waitFor(
        'the start-up pass to stall',
        async () => {
          const x = await status(s);
          return x.lastAttempt?.result === 'stalled' ? x : undefined;
        },
        30_000,
        s,
      );
      assert.equal(st.lastAttempt!.error!.code, 'E_EMPTY_REFUSED');
      assert.equal(`error: ${st.lastAttempt!.error!.message}\n`, refusal(await repo.head()));
      assert.deepEqual(await containerIds(p), running);
    } finally {
      await s.stop('SIGKILL');
    }
  });

  it('refuses manifests that became Git LFS pointers (a clone without git-lfs) the same way', async () => {
    const pointer = (n: number) =>
      `version https://git-lfs.github.com/spec/v1\noid sha256:${String(n).repeat(64)}\nsize 1${n}\n`;
    const sha = await repo.commit({ 'services/web.yaml': pointer(1), 'services/db.yaml': pointer(2) }, 'lfs');
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, refusal(sha));
    assert.deepEqual(await containerIds(p), running);
  });

  it('refuses a manifest folder replaced by a symlink the same way', async () => {
    // the emptied folder is left behind in the work tree (git keeps no empty folders)
    await fs.rm(path.join(repo.workdir, 'services'), { recursive: true, force: true });
    await fs.symlink('elsewhere', path.join(repo.workdir, 'services'));
    await repo.commit({}, 'services is now a symlink');
    assert.match(await git(repo.workdir, 'ls-tree', 'HEAD', 'services'), /^120000 blob [0-9a-f]{40}\tservices$/);
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, refusal(await repo.head()));
    assert.deepEqual(await containerIds(p), running);
  });

  it('is not in the way of bosun down, the deliberate way', async () => {
    const r = await bosun(['down', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, new RegExp(`- remove container ${p}-web-1 — bosun down`));
  });

  it('applies the removal when the Project says allowEmpty: true', async () => {
    await fs.rm(path.join(repo.workdir, 'services'), { recursive: true, force: true });
    await repo.commit({ 'bosun.yaml': project(p, true) }, 'allow empty');
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`- remove container ${p}-web-1 — removed from repo`));
    assert.deepEqual(await containerIds(p), {});
  });
});
