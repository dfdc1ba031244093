import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { reconcile } from '../../src/controller/reconcile.ts';
import { acquireApplyLock } from '../../src/coord/lock.ts';
import { DockerRuntime } from '../../src/docker/runtime.ts';
import type { Release } from '../../src/model/release.ts';
import type { KvStore } from '../../src/ports.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { requireDocker, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { git } from '../helpers/git-server.ts';

/** A local repo whose tag `v<i>` sets one Config value to i: every racer has a real change. */
async function taggedRepo(dir: string, project: string, tags: number): Promise<void> {
  await git(dir, 'init', '-q', '-b', 'main');
  const manifest = (i: number) =>
    `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n---\napiVersion: bosun/v1\nkind: Config\nmetadata: { name: race }\nspec:\n  prefix: /${project}/race/\n  data: { N: "${i}" }\n`;
  for (let i = 1; i <= tags; i++) {
    await fs.writeFile(path.join(dir, 'bosun.yaml'), manifest(i));
    await git(dir, 'add', '-A');
    await git(dir, 'commit', '-q', '-m', `v${i}`);
    await git(dir, 'tag', `v${i}`);
  }
}

function assertSerial(list: Release[], n: number): void {
  assert.deepEqual(list.map((r) => r.number).sort((a, b) => a - b), Array.from({ length: n }, (_, i) => i + 1), 'numbers unique and dense');
  const spans = list.map((r) => [Date.parse(r.startedAt), Date.parse(r.finishedAt ?? '')]).sort((a, b) => a[0] - b[0]);
  for (let i = 1; i < spans.length; i++) assert.ok(spans[i][0] >= spans[i - 1][1], `release applies overlap: ${JSON.stringify(spans.slice(i - 1, i + 1))}`);
  assert.ok(list.every((r) => r.status === 'succeeded'));
}

for (const store of ['file', 'etcd'] as const) {
  describe(`one apply at a time (${store} store)`, function () {
    this.timeout(180_000);
    const project = uniqueProject(`lock-${store}`);
    let dir: string;
    let kv: KvStore;
    let url: string;

    before(async () => {
      await requireDocker();
      if (store === 'etcd') await requireEtcd();
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-lock-'));
      await fs.mkdir(path.join(dir, 'repo'));
      await taggedRepo(path.join(dir, 'repo'), project, 30);
      url = store === 'etcd' ? ETCD_URL : `file:${dir}/state`;
      kv = await openStore(url);
    });
    after(async () => {
      for (const prefix of [`/${project}/`, `/bosun/${project}/`]) for (const e of await kv.list(prefix)) await kv.delete(e.key);
      await kv?.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('30 racing reconciles, each with a change: 30 releases, never overlapping, numbers unique', async () => {
      const runtime = new DockerRuntime('unix:///var/run/docker.sock');
      const source = (i: number) => ({ repo: path.join(dir, 'repo'), ref: `v${i}`, cacheDir: path.join(dir, 'cache') });
      const runs = Array.from({ length: 30 }, (_, i) =>
        reconcile({ source: source(i + 1), dryRun: false, trigger: 'cli', runtime, kv, lockWaitMs: 120_000 }),
      );
      const results = await Promise.all(runs);
      assert.equal(results.filter((r) => r.release).length, 30);
      assertSerial(await new ReleaseStore(kv).list(project), 30);
    });

    it('--lock-timeout gives up naming the holder; a release left applying is marked interrupted', async () => {
      const held = await acquireApplyLock(kv, project, 'someone@elsewhere:42', { waitMs: 0 });
      try {
        const r = await bosun(['reconcile', '--repo', path.join(dir, 'repo'), '--ref', 'v1', '--state', url, '--lock-timeout', '0.5']);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^error: another apply is running, held by someone@elsewhere:42 since \S+\n$/);
      } finally {
        await held.release();
      }
      const releases = new ReleaseStore(kv);
      const crashed = await releases.begin({ ...(await releases.get(project, 30)), trigger: 'cli', actor: 'ghost@host' });
      const r = await bosun(['reconcile', '--repo', path.join(dir, 'repo'), '--ref', 'v2', '--state', url]);
      assert.equal(r.code, 0, r.stderr);
      const after = await releases.get(project, crashed.number);
      assert.equal(after.status, 'interrupted');
      assert.match(after.error?.message ?? '', /ghost@host.*stopped before it finished/);
    });
  });
}
