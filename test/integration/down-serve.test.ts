import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { metric, startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { present, stackFiles } from '../helpers/stack.ts';

/** Issue #19: a running `bosun serve` does not fight `bosun down`; the next commit brings the stack back. */
describe('bosun down while bosun serve runs (git over HTTP, both stores)', function () {
  this.timeout(180_000);
  let server: GitServer;
  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
  });
  after(async () => server?.close());

  for (const store of ['etcd', 'file'] as const) {
    it(`${store}: stays down through polls and drift events until the next commit`, async () => {
      const project = `down-serve-${store}-${randomBytes(3).toString('hex')}`;
      const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-down-serve-'));
      const state = store === 'etcd' ? ETCD_URL : `file:${tmp}/state`;
      const repo = await server.createRepo(project, present(stackFiles(project, { worker: false })));
      const flags = ['--repo', repo.url, '--ref', 'main', '--state', state, '--cache-dir', `${tmp}/cache`];
      let s: ServeProcess | undefined;
      let kv: KvStore | undefined;
      try {
        // polls every second, so several land while the stack is down
        s = await startServe([...flags, '--poll', '*/1 * * * * *'], { BOSUN_WEBHOOK_SECRET: '' });
        const first = await repo.head();
        await waitFor(
          'the start-up pass',
          async () => (await status(s!)).applied?.revision === first || undefined,
          60_000,
          s,
        );

        const down = await bosun(['down', ...flags]);
        assert.equal(down.code, 0, down.stderr);
        assert.deepEqual(await containerIds(project), {});
        // a poll already under way when the down landed ends as a plain pass, so count pinned ones
        const pinned = { trigger: 'poll', result: 'pinned' };
        await waitFor(
          'three polls that find the pin',
          async () => (await metric(s!, 'bosun_reconciles_total', pinned)) >= 3 || undefined,
          30_000,
          s,
        );
        assert.deepEqual(await containerIds(project), {}, 'no poll and no drift repair brought it back');
        kv = await openStore(state);
        // read out of its seal, not verified: serve holds the state key
        assert.ok(JSON.parse((await kv.get(`/bosun/${project}/pin`))!.value).record.down, 'pinned down');

        const next = await repo.commit(stackFiles(project, { worker: false, level: 'back' }), 'next commit');
        await waitFor(
          'the next commit applied',
          async () => {
            const st = await status(s!);
            return st.applied?.revision === next && !st.queue.running ? st : undefined;
          },
          60_000,
          s,
        );
        const ids = await containerIds(project);
        assert.deepEqual(Object.keys(ids).sort(), ['api', 'web']);
        assert.equal(ids.web.length, 2);
        assert.equal(await kv.get(`/bosun/${project}/pin`), undefined, 'the down pin is done with');
      } finally {
        await s?.stop('SIGKILL');
        await cleanupProject(project);
        kv ??= await openStore(state);
        for (const prefix of [`/bosun/${project}/`, `/${project}/`])
          for (const e of await kv.list(prefix)) await kv.delete(e.key);
        await kv.close();
        await fs.rm(tmp, { recursive: true, force: true });
      }
    });
  }
});
