import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { reconcile } from '../../src/session/reconcile.ts';
import { acquireApplyLock } from '../../src/coord/lock.ts';
import { localDocker, testSession } from '../helpers/session.ts';
import type { KvStore } from '../../src/ports.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { requireDocker, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { assertSerial, taggedRepo } from '../helpers/race.ts';
import { testSealer } from '../helpers/state-key.ts';

const RACERS = 100;

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
      await taggedRepo(path.join(dir, 'repo'), project, RACERS);
      url = store === 'etcd' ? ETCD_URL : `file:${dir}/state`;
      kv = await openStore(url);
    });
    after(async () => {
      for (const prefix of [`/${project}/`, `/bosun/${project}/`])
        for (const e of await kv.list(prefix)) await kv.delete(e.key);
      await kv?.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it(`${RACERS} racing reconciles, each with a change: ${RACERS} releases, never overlapping, numbers unique`, async () => {
      const backend = localDocker();
      const source = (i: number) => ({ repo: path.join(dir, 'repo'), ref: `v${i}`, cacheDir: path.join(dir, 'cache') });
      const runs = Array.from({ length: RACERS }, (_, i) =>
        // the whole history is checked, so none of it may be pruned (the default keeps 50)
        reconcile(testSession(kv, source(i + 1), { backend, lockWaitMs: 120_000, historyLimit: RACERS }), {
          dryRun: false,
          trigger: 'cli',
        }),
      );
      const results = await Promise.all(runs);
      assert.equal(results.filter((r) => r.release).length, RACERS);
      assertSerial(await new ReleaseStore(kv, testSealer()).list(project), RACERS);
    });

    it('--lock-timeout gives up naming the holder; a release left applying is marked interrupted', async () => {
      const held = await acquireApplyLock(kv, project, 'someone@elsewhere:42', { waitMs: 0 });
      try {
        const r = await bosun([
          'reconcile',
          '--repo',
          path.join(dir, 'repo'),
          '--ref',
          'v1',
          '--state',
          url,
          '--lock-timeout',
          '0.5',
        ]);
        assert.equal(r.code, 1);
        assert.match(r.stderr, /^error: another apply is running, held by someone@elsewhere:42 since \S+\n$/);
      } finally {
        await held.release();
      }
      const releases = new ReleaseStore(kv, testSealer());
      const crashed = await releases.begin({
        ...(await releases.get(project, RACERS)),
        trigger: 'cli',
        actor: 'ghost@host',
      });
      const r = await bosun(['reconcile', '--repo', path.join(dir, 'repo'), '--ref', 'v2', '--state', url]);
      assert.equal(r.code, 0, r.stderr);
      const after = await releases.get(project, crashed.number);
      assert.equal(after.status, 'interrupted');
      assert.match(after.error?.message ?? '', /ghost@host.*stopped before it finished/);
    });
  });
}
