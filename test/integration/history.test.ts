import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ReleaseDraft } from '../../src/model/release.ts';
import type { KvStore } from '../../src/ports.ts';
import { writePin } from '../../src/release/pin.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { requireDocker } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { desired } from '../helpers/model.ts';
import { testSealer } from '../helpers/state-key.ts';

/** A keys-only stack: a reconcile records a release without starting a container. */
function keysOnly(project: string, value: string): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\nspec:\n  historyLimit: 10\n`,
    'config.yaml': `apiVersion: bosun/v1\nkind: Config\nmetadata:\n  name: c\nspec:\n  prefix: /${project}/c/\n  data: { V: "${value}" }\n`,
  };
}

function draft(project: string, i: number): ReleaseDraft {
  const summary = { create: 0, replace: 0, remove: 0, keysPut: 1, keysDeleted: 0, networks: 0, volumes: 0 };
  return {
    ...{ project, repo: 'r', ref: 'main', revision: String(i).padStart(40, '0'), trigger: 'cli', actor: 't@h' },
    desired: desired([], [], project),
    images: {},
    summary,
    operations: [],
  };
}

/** Issue #19: 200 applies with historyLimit 10 leave 10 records (plus the pinned one), on both stores. */
describe('release history limits (etcd and the embedded store, the real CLI)', function () {
  this.timeout(120_000);
  let server: GitServer;
  let tmp: string;
  before(async () => {
    await Promise.all([requireEtcd(), requireDocker()]);
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-down-history-'));
  });
  after(async () => {
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  for (const store of ['etcd', 'file'] as const) {
    it(`${store}: prunes in the transaction that records, keeps the pinned one, numbering continues`, async () => {
      const project = `down-hist-${store}-${randomBytes(3).toString('hex')}`;
      const state = store === 'etcd' ? ETCD_URL : `file:${tmp}/${project}`;
      const kv: KvStore = await openStore(state);
      try {
        const releases = new ReleaseStore(kv, testSealer());
        // 199 applies at the store level (what applyAsRelease records), the 200th by a real reconcile
        for (let i = 1; i <= 199; i++) {
          const r = await releases.begin(draft(project, i), 10);
          await releases.finish(project, r.number, 'succeeded');
          if (i === 150) await writePin(kv, testSealer(), project, { release: 150, at: 'now', by: 't@h' });
        }
        assert.equal((await releases.list(project)).length, 11, '10 newest + the pinned one');
        await kv.delete(`/bosun/${project}/pin`); // resume: the next record may prune 150
        const repo = await server.createRepo(project, keysOnly(project, 'x'));
        const flags = ['--repo', repo.url, '--state', state, '--cache-dir', `${tmp}/cache`];
        const up = await bosun(['reconcile', ...flags]);
        assert.equal(up.code, 0, up.stderr);
        assert.match(up.stdout, /release 200 succeeded/);
        const numbers = (await releases.list(project)).map((r) => r.number);
        assert.deepEqual(numbers, [191, 192, 193, 194, 195, 196, 197, 198, 199, 200], 'the Project says 10');
        const keys = (await kv.list(`/bosun/${project}/releases/`)).map((e) => e.key.split('/').at(-1));
        assert.equal(keys.length, 12, `10 releases, the counter and the pruned record: ${keys.join(' ')}`);

        const list = await bosun(['releases', ...flags]);
        assert.equal(list.code, 0, list.stderr);
        assert.match(list.stdout, /\n190 older release\(s\) pruned \(historyLimit\): 1–190\n$/);
        const pruned = await bosun(['rollback', '7', ...flags]);
        assert.equal(pruned.code, 1);
        assert.match(pruned.stderr, /^error: release 7 of project \S+ was pruned from the history \(historyLimit;/);
        const missing = await bosun(['rollback', '201', ...flags]);
        assert.equal(missing.stderr, `error: release 201 not found for project ${project}\n`);
        const flag = await bosun(['reconcile', ...flags, '--history-limit', '0']);
        assert.equal(flag.code, 1);
        assert.match(flag.stderr, /--history-limit must be a whole number of releases, at least 1, not "0"/);
      } finally {
        for (const prefix of [`/bosun/${project}/`, `/${project}/`])
          for (const e of await kv.list(prefix)) await kv.delete(e.key);
        await kv.close();
      }
    });
  }
});
