import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execute } from '../../src/apply/execute.ts';
import { BosunError } from '../../src/errors.ts';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { localDocker } from '../helpers/session.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { desired, emptyObserved } from '../helpers/model.ts';
import { testSealer } from '../helpers/state-key.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

function files(p: string, o: { level: string; token: string; extra?: boolean }): Record<string, string | null> {
  const service = (name: string, reads: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n${reads}`;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${p} }\n`,
    'config.yaml': [
      `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: app }\nspec:\n  prefix: /${p}/app/\n  data:\n    LEVEL: ${o.level}\n${o.extra ? '    EXTRA: yes-please\n' : ''}`,
      `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: creds }\nspec:\n  prefix: /${p}/creds/\n  secret: true\n  data:\n    TOKEN: ${o.token}\n`,
    ].join('---\n'),
    'services.yaml': [
      service('reader', '  envFrom: [{ config: app }]\n'),
      service('filer', '  files: [{ config: creds, key: TOKEN, target: /run/secrets/token, mode: 0o600 }]\n'),
      service('bystander', ''),
    ].join('---\n'),
  };
}

describe('Config keys on etcd: ownership, drift, files, secrets', function () {
  this.timeout(120_000);
  const p = uniqueProject('cfg');
  let server: GitServer;
  let etcd: KvStore;
  let flags: string[];
  let push: (f: Record<string, string | null>) => Promise<string>;
  let cache: string;

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    const repo = await server.createRepo(
      p,
      files(p, { level: 'info', token: 's3cr3t-one', extra: true }) as Record<string, string>,
    );
    push = (f) => repo.commit(f);
    etcd = await openStore(ETCD_URL);
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-cfg-'));
    flags = ['--repo', repo.url, '--state', ETCD_URL, '--cache-dir', cache];
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });

  after(async () => {
    await cleanupProject(p);
    for (const prefix of [`/${p}/`, `/bosun/${p}/`]) for (const e of await etcd.list(prefix)) await etcd.delete(e.key);
    await etcd?.close();
    await server?.close();
    await fs.rm(cache, { recursive: true, force: true });
  });

  it('writes a Config file into the container, with its mode, and never prints the secret', async () => {
    const id = (await containerIds(p)).filer[0].split(':')[1];
    const exec = await docker
      .getContainer(id)
      .exec({ Cmd: ['sh', '-c', 'cat /run/secrets/token; stat -c %a /run/secrets/token'], AttachStdout: true });
    const out = await new Promise<string>((resolve) => {
      exec.start({}, (_e, stream) => {
        let text = '';
        stream?.on('data', (d: Buffer) => (text += d.toString('latin1')));
        stream?.on('end', () => resolve(text));
      });
    });
    assert.match(out, /s3cr3t-one/);
    assert.match(out, /600/);
    const show = await bosun(['releases', 'show', '1', ...flags, '-o', 'json']);
    const dry = await bosun(['reconcile', ...flags, '--dry-run']);
    const release = JSON.parse(show.stdout) as {
      desired: { configs: { name: string; data: Record<string, string> }[] };
    };
    assert.deepEqual(release.desired.configs.find((c) => c.name === 'creds')?.data, { TOKEN: '(secret)' });
    assert.doesNotMatch(show.stdout + dry.stdout, /s3cr3t/);
  });

  it('a changed value replaces exactly the services that read it; the secret stays masked', async () => {
    const before = await containerIds(p);
    await push(files(p, { level: 'debug', token: 's3cr3t-two', extra: true }));
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /put key \/.*\/creds\/TOKEN = \(secret\)/);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t/);
    const after = await containerIds(p);
    assert.deepEqual(after.bystander, before.bystander);
    assert.notDeepEqual(after.reader, before.reader);
    assert.notDeepEqual(after.filer, before.filer);
  });

  it('deletes only keys it wrote: a foreign key under the prefix survives and is noted', async () => {
    await etcd.put(`/${p}/app/FOREIGN`, 'not-bosuns');
    await push(files(p, { level: 'debug', token: 's3cr3t-two', extra: false }));
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`- delete key /${p}/app/EXTRA — removed from repo`));
    assert.match(
      r.stdout,
      new RegExp(`note: key /${p}/app/FOREIGN is under a Config prefix but was not written by bosun: left alone`),
    );
    assert.equal(await etcd.get(`/${p}/app/EXTRA`), undefined);
    assert.equal((await etcd.get(`/${p}/app/FOREIGN`))?.value, 'not-bosuns');
  });

  it('reports a value changed by hand as drift in the dry-run, and heals it', async () => {
    await etcd.put(`/${p}/app/LEVEL`, 'hacked');
    const dry = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(dry.code, 2);
    assert.match(dry.stdout, new RegExp(`~ put key /${p}/app/LEVEL = "debug" — value differs from repo`));
    assert.equal((await etcd.get(`/${p}/app/LEVEL`))?.value, 'hacked', 'dry-run wrote nothing');
    assert.equal((await bosun(['reconcile', ...flags])).code, 0);
    assert.equal((await etcd.get(`/${p}/app/LEVEL`))?.value, 'debug');
  });

  it('does not overwrite a key written concurrently after the plan was made', async () => {
    const key = `/${p}/race/K`;
    const d = desired([], [{ name: 'race', prefix: `/${p}/race/`, data: { K: 'from-git' }, secret: false }], p);
    d.networks = [];
    const planned = plan(d, emptyObserved(), { repo: 'r', ref: 'main', revision: 'x'.repeat(40) });
    await etcd.put(key, 'written-meanwhile');
    const err = await execute(planned, { backend: localDocker(), kv: etcd, sealer: testSealer(), release: 1 }).catch(
      (e: unknown) => e,
    );
    assert.ok(err instanceof BosunError, String(err));
    assert.equal(err.code, 'E_STORE_CONFLICT');
    assert.equal((await etcd.get(key))?.value, 'written-meanwhile');
  });
});
