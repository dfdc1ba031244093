import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, docker, ensureTestImages, projectContainers, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { type GitServer, startGitServer, type TestRepo } from '../helpers/git-server.ts';
import { execIn } from '../helpers/inspect.ts';
import { metric, type ServeProcess, startServe, status, waitFor } from '../helpers/serve.ts';
import { present, stackFiles } from '../helpers/stack.ts';

const NO_POLL = '0 0 1 1 *';
/** unique per run, so a search of the whole store finds only this test's secret */
const SECRET_VALUE = `rec-pw-${process.pid}-${Date.now()}`;

/** The stack of stack.ts plus a secret Config that `api` reads as variables. */
function files(project: string): Record<string, string> {
  const base = present(stackFiles(project, { worker: false }));
  const secret = `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: db }\nspec:\n  prefix: /${project}/db/\n  secret: true\n  data: { DB_PASSWORD: "${SECRET_VALUE}" }\n`;
  const api = base['services/api.yaml']!.replace(
    'envFrom: [{ config: app }]',
    // a secret Config reaches containers only as files (envFrom of one is refused)
    'envFrom: [{ config: app }]\n  files:\n    - { config: db, key: DB_PASSWORD, target: /run/secrets/db_password, mode: 0o400 }',
  );
  return { ...base, 'config/db.yaml': secret, 'services/api.yaml': api };
}

const mountsEtc = (c: { Mounts?: { Source?: string }[] }) => (c.Mounts ?? []).some((m) => m.Source === '/etc');

/** Issue 11's attack, on the real thing: bosun serve, etcd, Docker, git over HTTP. */
describe('forged records in etcd are never acted on (serve + etcd + Docker + git over HTTP)', function () {
  this.timeout(180_000);
  const project = uniqueProject('rec-forge');
  let server: GitServer;
  let repo: TestRepo;
  let kv: KvStore;
  let s: ServeProcess;
  let tmp: string;
  const common = () => ['--state', ETCD_URL, '--project', project, '--repo', repo.url, '--ref', 'main'];
  const releaseKey = (n: number) => `/bosun/${project}/releases/${String(n).padStart(10, '0')}`;

  before(async () => {
    await requireEtcd();
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, files(project));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-rec-forge-'));
    kv = await openStore(ETCD_URL);
    s = await startServe([...common(), '--poll', NO_POLL, '--cache-dir', `${tmp}/cache`]);
    const head = await repo.head();
    await waitFor(
      'the first converge',
      async () => ((await status(s)).applied?.revision === head ? true : undefined),
      60_000,
      s,
    );
  });
  after(async () => {
    await s?.stop('SIGKILL');
    await cleanupProject(project);
    for (const prefix of [`/bosun/${project}/`, `/${project}/`])
      for (const e of await kv.list(prefix)) await kv.delete(e.key);
    await kv?.close();
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('a release record rewritten in etcd (host /etc mounted) plus a removed container: serve refuses the record and restores git', async () => {
    const entry = await kv.get(releaseKey(1));
    assert.ok(entry, 'release 1 is recorded');
    const sealed = JSON.parse(entry.value);
    const api = sealed.record.desired.services.find((x: { name: string }) => x.name === 'api');
    api.volumes = [{ hostPath: '/etc', target: '/host-etc', readOnly: false }];
    await kv.put(releaseKey(1), JSON.stringify(sealed));
    const victim = (await projectContainers(project)).find((c) => c.Labels['bosun.service'] === 'api')!;
    await docker.getContainer(victim.Id).remove({ force: true });

    const back = await waitFor(
      'api to come back',
      async () => {
        const st = await status(s);
        const apis = (await projectContainers(project)).filter((c) => c.Labels['bosun.service'] === 'api');
        return st.applied?.release === 2 && apis.length === 1 && !st.queue.running ? apis : undefined;
      },
      60_000,
      s,
    );
    assert.notEqual(back[0]!.Id, victim.Id);
    const all = await projectContainers(project);
    assert.deepEqual(all.filter(mountsEtc), [], 'no container has the host /etc mounted');
    const inspected = await docker.getContainer(back[0]!.Id).inspect();
    assert.deepEqual(inspected.Mounts, [], 'api runs as git says: no mounts');
    assert.ok((await metric(s, 'bosun_record_rejected_total', { code: 'E_RECORD_TAMPERED' })) > 0);
    const line = s.logs.find((l) => l.code === 'E_RECORD_TAMPERED' && l.key === releaseKey(1));
    assert.ok(line, `a log line names the record: ${JSON.stringify(s.logs.slice(-10))}`);
    assert.match(String(line.msg), /fails its authentication check: not acted on/);
    const st = await status(s);
    assert.deepEqual([st.lastAttempt?.trigger, st.lastAttempt?.result], ['drift', 'healed']);
  });

  it('rollback to the tampered release is refused (E_RECORD_TAMPERED) and writes nothing', async () => {
    const counter = (await kv.get(`/bosun/${project}/releases/counter`))?.value;
    const r = await bosun(['rollback', '1', ...common()]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, /E_RECORD_TAMPERED: release record at \S+0000000001 fails its authentication check/);
    assert.equal((await kv.get(`/bosun/${project}/releases/counter`))?.value, counter);
    assert.equal(await kv.get(`/bosun/${project}/pin`), undefined);
    assert.deepEqual((await projectContainers(project)).filter(mountsEtc), []);
  });

  it('a forged pin is refused: reconcile follows git and says so', async () => {
    await kv.put(`/bosun/${project}/pin`, JSON.stringify({ release: 1, at: 'now', by: 'attacker' }));
    const r = await bosun(['reconcile', ...common(), '--cache-dir', `${tmp}/cli-cache`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /E_RECORD_TAMPERED: pin at \/bosun\/\S+\/pin is not sealed/);
    assert.doesNotMatch(r.stdout + r.stderr, /pinned at release/);
    await kv.delete(`/bosun/${project}/pin`);
  });

  it('with another key file, every record is refused and nothing is acted on', async () => {
    // a controller without the cluster's key does not make one of its own for a store that has one
    const missing = path.join(tmp, 'forgot', 'state.key');
    const refused = await bosun(['releases', ...common()], { BOSUN_STATE_KEY_FILE: missing });
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /^error: no state key file at \S+forgot\/state.key, but the records in etcd:\S+ are sealed with state key [0-9a-f]{16}: copy the key file of the other controllers/,
    );
    await assert.rejects(fs.stat(missing), /ENOENT/);
    // a key of its own that it already had: every record it reads is refused
    const other = path.join(tmp, 'other.key');
    await fs.writeFile(other, randomBytes(32), { mode: 0o600 });
    const r = await bosun(['releases', ...common()], { BOSUN_STATE_KEY_FILE: other });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      /release record at \S+0000000002 fails its authentication check \(sealed with state key [0-9a-f]{16}, this controller holds [0-9a-f]{16}\)/,
    );
    assert.match(r.stdout, /no releases for project/);
    const st = await bosun(['status', ...common(), '-o', 'json', '--cache-dir', `${tmp}/cli-cache`], {
      BOSUN_STATE_KEY_FILE: other,
    });
    assert.equal(st.code, 0, st.stderr);
    assert.match(st.stderr, /E_RECORD_TAMPERED/);
    assert.equal(JSON.parse(st.stdout).inForce, undefined, 'no release it cannot trust is shown in force');
    const rb = await bosun(['rollback', '2', ...common()], { BOSUN_STATE_KEY_FILE: other });
    assert.equal(rb.code, 1, rb.stdout);
    assert.match(rb.stderr, /E_RECORD_TAMPERED/);
  });

  it('a range read of /bosun/ shows no secret value; the release gives it back to the key holder', async () => {
    const all = await kv.list('/bosun/');
    assert.ok(all.some((e) => e.key.startsWith(`/bosun/${project}/releases/`)));
    assert.deepEqual(
      all.filter((e) => e.value.includes(SECRET_VALUE)).map((e) => e.key),
      [],
    );
    const api = (await projectContainers(project)).find((c) => c.Labels['bosun.service'] === 'api')!;
    assert.equal(await execIn(api.Id, ['cat', '/run/secrets/db_password']), SECRET_VALUE, 'the container gets it');
    const env = (await docker.getContainer(api.Id).inspect()).Config.Env;
    assert.ok(!env.some((e) => e.includes(SECRET_VALUE)), 'as a file, never in its environment');
  });
});
