/** The bosun binary against secured etcds: the flags and variables work, and a refusal is one line. */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, uniqueProject } from '../helpers/docker.ts';
import { secureEtcds, type SecureEtcds } from '../helpers/etcd-secure.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { present, stackFiles } from '../helpers/stack.ts';

describe('bosun CLI against etcd over TLS and with users', function () {
  this.timeout(120_000);
  const project = uniqueProject('etcdtls'); // t-etcdtls-…: a prefix the restricted user may write
  let e: SecureEtcds;
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let kv: KvStore;
  let flags: string[];
  let tlsFlags: string[];

  before(async () => {
    [e] = await Promise.all([secureEtcds(), ensureTestImages()]);
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { webReplicas: 1, worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-etcdtls-cli-'));
    kv = await openStore(e.mtls.url, e.mtls.access);
    const { pki } = e;
    flags = ['--repo', repo.url, '--cache-dir', tmp, '--state', e.mtls.url];
    tlsFlags = ['--etcd-cacert', pki.ca, '--etcd-cert', pki.client.cert, '--etcd-key', pki.client.key];
  });

  after(async () => {
    await cleanupProject(project);
    if (kv) {
      for (const prefix of [`/${project}/`, `/bosun/${project}/`])
        for (const entry of await kv.list(prefix)) await kv.delete(entry.key);
      await kv.close();
    }
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('reconciles and lists releases with --etcd-cacert, --etcd-cert and --etcd-key', async () => {
    const r = await bosun(['reconcile', ...flags, ...tlsFlags]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '', 'no warning either');
    assert.deepEqual(Object.keys(await containerIds(project)).sort(), ['api', 'web']);
    assert.equal((await kv.get(`/${project}/app/LEVEL`))?.value, 'info');
    const list = await bosun(['releases', ...flags, ...tlsFlags, '-o', 'json']);
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(
      (JSON.parse(list.stdout) as { number: number }[]).map((x) => x.number),
      [1],
    );
  });

  it('a wrong CA: one line naming it, exit 1, nothing written', async () => {
    const before = await containerIds(project);
    await repo.commit(stackFiles(project, { webReplicas: 2, worker: false, level: 'debug' }));
    const wrongCa = ['--etcd-cacert', e.pki.otherCa, '--etcd-cert', e.pki.client.cert, '--etcd-key', e.pki.client.key];
    const r = await bosun(['reconcile', ...flags, ...wrongCa]);
    assert.equal(r.code, 1);
    const where = e.mtls.url.replace('etcds://', '');
    assert.equal(
      r.stderr,
      `error: etcd at ${where}: server certificate not trusted by --etcd-cacert ${e.pki.otherCa}: unable to verify the first certificate\n`,
    );
    assert.deepEqual(await containerIds(project), before);
    assert.equal((await kv.get(`/${project}/app/LEVEL`))?.value, 'info');
    assert.equal((await new ReleaseStore(kv).list(project)).length, 1);
  });

  it('takes the user and password from the environment; a wrong password file is one line, exit 1', async () => {
    const auth = e.auth;
    const env = {
      BOSUN_ETCD_CACERT: e.pki.ca,
      BOSUN_ETCD_USER: auth.access.user!,
      BOSUN_ETCD_PASSWORD: auth.access.password!,
    };
    const base = ['releases', '--project', project, '--state', auth.url];
    const ok = await bosun(base, env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(ok.stdout, `no releases for project ${project}\n`);
    const file = path.join(tmp, 'wrong-password');
    await fs.writeFile(file, 'not-it\n', { mode: 0o600 });
    const bad = await bosun([...base, '--etcd-password-file', file], env);
    assert.equal(bad.code, 1);
    const where = auth.url.replace('etcds://', '');
    assert.equal(
      bad.stderr,
      `error: etcd at ${where}: authentication failed for user ${auth.access.user}: wrong user name or password\n`,
    );
  });

  it('etcd settings with the file store: one line, exit 1, no state created', async () => {
    const state = path.join(tmp, 'file-state');
    const r = await bosun(['releases', '--project', project, '--state', `file:${state}`, '--etcd-cacert', e.pki.ca]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: --etcd-cacert applies only to an etcd state store, not file:${state}\n`);
    await assert.rejects(fs.stat(state), { code: 'ENOENT' });
  });
});
