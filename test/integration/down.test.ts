import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { demoFiles } from '../helpers/demo.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, requireDocker } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

async function projectNetworks(project: string): Promise<string[]> {
  const list = await docker.listNetworks({ filters: { label: [`bosun.project=${project}`] } });
  return list.map((n) => n.Name).sort();
}

async function projectVolumes(project: string): Promise<string[]> {
  const { Volumes } = await docker.listVolumes({ filters: { label: [`bosun.project=${project}`] } });
  return (Volumes ?? []).map((v) => v.Name).sort();
}

/** Issue #19's acceptance for `bosun down`: the README's demo stack, the real CLI, Docker and both stores. */
describe('bosun down (the demo stack, real Docker, etcd and the embedded store)', function () {
  this.timeout(180_000);
  let server: GitServer;
  before(async () => {
    await Promise.all([requireDocker(), requireEtcd(), ensureTestImages()]);
    const { execFile } = await import('node:child_process');
    await new Promise((resolve, reject) =>
      execFile('bash', [path.join(ROOT, 'examples/build-image.sh')], (err) => (err ? reject(err) : resolve(null))),
    );
    server = await startGitServer();
  });
  after(async () => server?.close());

  for (const store of ['etcd', 'file'] as const) {
    describe(store, () => {
      const project = `down-demo-${store}-${randomBytes(3).toString('hex')}`;
      let tmp: string;
      let repo: TestRepo;
      let kv: KvStore;
      let flags: string[];
      const foreign = `down-foreign-${randomBytes(3).toString('hex')}`;

      before(async () => {
        tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-down-'));
        const state = store === 'etcd' ? ETCD_URL : `file:${tmp}/state`;
        repo = await server.createRepo(project, demoFiles(project));
        flags = ['--repo', repo.url, '--state', state, '--cache-dir', `${tmp}/cache`];
        const up = await bosun(['reconcile', ...flags]);
        assert.equal(up.code, 0, up.stderr);
        kv = await openStore(state);
      });
      after(async () => {
        await docker
          .getContainer(foreign)
          .remove({ force: true })
          .catch(() => undefined);
        await cleanupProject(project);
        if (kv) {
          for (const prefix of [`/bosun/${project}/`, `/${project}/`])
            for (const e of await kv.list(prefix)) await kv.delete(e.key);
          await kv.close();
        }
        await fs.rm(tmp, { recursive: true, force: true });
      });

      const releaseCount = async () => (await kv.list(`/bosun/${project}/releases/0`)).length;

      it('--dry-run lists exactly what goes, and changes nothing', async () => {
        const before = await containerIds(project);
        const r = await bosun(['down', ...flags, '--dry-run', '--detailed-exitcode']);
        assert.equal(r.code, 2, r.stderr);
        const ops = r.stdout.split('\n').filter((l) => l.startsWith('  '));
        assert.deepEqual(ops.sort(), [
          `  - remove container ${project}-api-1 — bosun down`,
          `  - remove container ${project}-api-2 — bosun down`,
          `  - remove container ${project}-db-1 — bosun down`,
          `  - remove container ${project}-web-1 — bosun down`,
          `  - remove network ${project}_backend — bosun down`,
          `  - remove network ${project}_default — bosun down`,
        ]);
        assert.match(r.stdout, new RegExp(`note: volume ${project}_db-data kept \\(it holds data\\)`));
        assert.match(r.stdout, /note: 2 Config key\(s\) bosun wrote kept: bosun down --keys deletes them/);
        assert.deepEqual(await containerIds(project), before);
        assert.deepEqual(await projectNetworks(project), [`${project}_backend`, `${project}_default`]);
        assert.equal(await releaseCount(), 1);
        assert.equal(await kv.get(`/bosun/${project}/pin`), undefined);
      });

      it('is refused whole, naming it, while a foreign container is on the project network', async () => {
        const c = await docker.createContainer({
          name: foreign,
          Image: 'bosun-test/busybox:1',
          Cmd: ['sleep', '300'],
          HostConfig: { NetworkMode: `${project}_backend` },
        });
        await c.start();
        const before = await containerIds(project);
        const r = await bosun(['down', ...flags]);
        assert.equal(r.code, 1);
        assert.match(
          r.stderr,
          new RegExp(
            `^error: bosun down refused, nothing was removed: network ${project}_backend is used by ${foreign} \\(not bosun's\\); remove or disconnect it first\\n$`,
          ),
        );
        assert.deepEqual(await containerIds(project), before);
        assert.equal((await projectNetworks(project)).length, 2);
        assert.equal(await releaseCount(), 1, 'no release recorded');
        await c.remove({ force: true });
      });

      it('takes away every container and network of the project, keeps the volume and keys, pins it down', async () => {
        const r = await bosun(['down', ...flags]);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, /release 2 succeeded: .* \(0 created, 0 replaced, 4 removed, 0 key\(s\) changed\)/);
        assert.match(r.stdout, /taken down at release 2 .*; a new commit or 'bosun resume' brings it back/);
        const done = r.stdout.split('taking down:')[1] ?? '';
        const at = (name: string) => done.indexOf(`remove container ${project}-${name}`);
        assert.ok(
          ['web-1', 'api-1', 'api-2', 'db-1'].every((c) => at(c) >= 0),
          done,
        );
        assert.ok(at('web-1') < at('api-1') && at('api-2') < at('db-1'), `dependents first:${done}`);
        assert.deepEqual(await containerIds(project), {});
        assert.deepEqual(await projectNetworks(project), []);
        assert.deepEqual(await projectVolumes(project), [`${project}_db-data`]);
        assert.equal((await kv.list(`/${project}/api/`)).length, 2, 'owned keys stay without --keys');
        const list = await bosun(['releases', ...flags]);
        assert.match(list.stdout, /\n2 +succeeded +down /);
        const again = await bosun(['reconcile', ...flags, '--detailed-exitcode']);
        assert.equal(again.code, 2, 'the plan says what git wants...');
        assert.match(again.stdout, /^taken down at release 2 .* nothing applied/);
        assert.deepEqual(await containerIds(project), {}, '...and nothing is applied at the same commit');
      });

      it('with --volumes --keys takes the named volume and the owned keys too', async () => {
        const r = await bosun(['down', ...flags, '--volumes', '--keys']);
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stdout, new RegExp(`- remove volume ${project}_db-data — bosun down --volumes`));
        assert.deepEqual(await projectVolumes(project), []);
        assert.deepEqual(await kv.list(`/${project}/api/`), []);
        const idle = await bosun(['down', ...flags, '--detailed-exitcode']);
        assert.equal(idle.code, 0, 'nothing left to take down');
        assert.equal(await releaseCount(), 3);
      });

      it('bosun resume brings it back at the same commit', async () => {
        const r = await bosun(['resume', ...flags]);
        assert.equal(r.code, 0, r.stderr);
        assert.deepEqual(Object.keys(await containerIds(project)).sort(), ['api', 'db', 'web']);
        assert.equal(await kv.get(`/bosun/${project}/pin`), undefined);
      });
    });
  }
});
