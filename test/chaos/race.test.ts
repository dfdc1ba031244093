import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, ensureTestImages, IMAGE_V1, projectContainers, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { assertSerial, taggedRepo } from '../helpers/race.ts';
import { testSealer } from '../helpers/state-key.ts';

/**
 * Two `bosun reconcile` processes started together, round after round, each with a real change
 * (a container replaced): their applies must never overlap. `npm test` runs a few rounds;
 * `npm run chaos` (CHAOS_ROUNDS=50) runs 100 per store.
 */
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 2) * 2;

for (const store of ['file', 'etcd'] as const) {
  describe(`chaos: two reconcilers started together, ${ROUNDS} times (${store} store)`, function () {
    this.timeout(60_000 + ROUNDS * 20_000);
    const project = uniqueProject(`race-${store}`);
    let dir: string;
    let url: string;
    let kv: KvStore;

    before(async () => {
      await ensureTestImages();
      if (store === 'etcd') await requireEtcd();
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-race-'));
      await fs.mkdir(path.join(dir, 'repo'));
      await taggedRepo(path.join(dir, 'repo'), project, 2 * ROUNDS, { service: IMAGE_V1 });
      url = store === 'etcd' ? ETCD_URL : `file:${dir}/state`;
    });
    after(async () => {
      await cleanupProject(project);
      if (kv)
        for (const prefix of [`/${project}/`, `/bosun/${project}/`])
          for (const e of await kv.list(prefix)) await kv.delete(e.key);
      await kv?.close();
      await fs.rm(dir, { recursive: true, force: true });
    });

    it('never runs two applies at once, never repeats a release number, and ends on one replica', async () => {
      const run = (tag: number) =>
        bosun([
          'reconcile',
          '--repo',
          path.join(dir, 'repo'),
          '--ref',
          `v${tag}`,
          '--state',
          url,
          '--lock-timeout',
          '60',
        ]);
      for (let round = 0; round < ROUNDS; round++) {
        const [a, b] = await Promise.all([run(2 * round + 1), run(2 * round + 2)]);
        assert.equal(a.code, 0, a.stderr);
        assert.equal(b.code, 0, b.stderr);
      }
      kv = await openStore(url);
      assertSerial(await new ReleaseStore(kv, testSealer()).list(project), 2 * ROUNDS);
      assert.equal((await projectContainers(project)).length, 1, 'exactly one racer container');
    });
  });
}
