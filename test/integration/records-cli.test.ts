import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { FileKv } from '../../src/store/file.ts';
import { RecordSealer } from '../../src/trust/sealer.ts';
import { loadOrCreateStateKey } from '../../src/trust/state-key.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, ensureTestImages, projectContainers, uniqueProject } from '../helpers/docker.ts';
import { type GitServer, startGitServer, type TestRepo } from '../helpers/git-server.ts';
import { present, stackFiles } from '../helpers/stack.ts';

const SECRET_VALUE = `rec-cli-pw-${process.pid}`;

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

const mode = async (p: string) => ((await fs.stat(p)).mode & 0o777).toString(8);

/** The state key and the embedded store through the real CLI: Docker, git over HTTP, files. */
describe('state key file and sealed records on the embedded store (CLI)', function () {
  this.timeout(180_000);
  const project = uniqueProject('rec-cli');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  /** no BOSUN_STATE_KEY_FILE: the default place beside the store is what is tested */
  const env = { BOSUN_STATE_KEY_FILE: '' };
  const args = () => [
    '--repo',
    repo.url,
    '--ref',
    'main',
    '--state',
    `file:${tmp}/db/state`,
    '--cache-dir',
    `${tmp}/cache`,
  ];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, files(project));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-rec-cli-'));
  });
  after(async () => {
    await cleanupProject(project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('creates the key beside the store on first use, with one line; key and store are for the owner only', async () => {
    const r = await bosun(['reconcile', ...args()], env);
    assert.equal(r.code, 0, r.stderr);
    const key = path.join(tmp, 'db', 'state.key');
    const created = r.stderr.split('\n').filter((l) => l.includes('created state key'));
    assert.equal(created.length, 1, r.stderr);
    assert.match(
      created[0]!,
      new RegExp(`^bosun: created state key ${key} \\(id [0-9a-f]{16}\\): keep it, and give every controller`),
    );
    assert.equal(await mode(key), '600');
    assert.equal(await mode(path.join(tmp, 'db')), '700');
    assert.equal(await mode(path.join(tmp, 'db', 'state')), '700');
    for (const f of await fs.readdir(path.join(tmp, 'db', 'state')))
      assert.equal(await mode(path.join(tmp, 'db', 'state', f)), '600', f);
    const again = await bosun(['reconcile', ...args()], env);
    assert.equal(again.code, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /created state key/);
  });

  it('narrows an existing world-readable store; its records hold no secret value', async () => {
    const dir = path.join(tmp, 'db', 'state');
    await fs.chmod(dir, 0o755);
    for (const f of await fs.readdir(dir)) await fs.chmod(path.join(dir, f), 0o644);
    const r = await bosun(['releases', ...args()], env);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await mode(dir), '700');
    for (const f of await fs.readdir(dir)) assert.equal(await mode(path.join(dir, f)), '600', f);
    // the Config's own keys (under its prefix) are for the services to read; bosun's records hold none
    const kv = new FileKv(dir);
    try {
      const records = await kv.list(`/bosun/${project}/`);
      assert.ok(records.length >= 3, 'releases, counter, owned keys');
      assert.deepEqual(
        records.filter((e) => e.value.includes(SECRET_VALUE)).map((e) => e.key),
        [],
      );
    } finally {
      await kv.close();
    }
  });

  it('refuses a key file others can read, or one that is not a key: exit 1, one line, nothing written', async () => {
    const loose = path.join(tmp, 'loose.key');
    await fs.writeFile(loose, Buffer.alloc(32, 1));
    await fs.chmod(loose, 0o644);
    const r = await bosun(['reconcile', ...args(), '--state-key-file', loose]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: state key file ${loose} is readable by others (mode 0644): run chmod 600 ${loose}, and make a new key if others may have read it\n`,
    );
    const junk = path.join(tmp, 'junk.key');
    await fs.writeFile(junk, 'not a key\n', { mode: 0o600 });
    const j = await bosun(['rollback', '1', ...args()], { BOSUN_STATE_KEY_FILE: junk });
    assert.equal(j.code, 1);
    assert.equal(j.stderr, `error: state key file ${junk} holds 10 bytes, not 32: it is not a bosun state key\n`);
    const list = await bosun(['releases', ...args(), '-o', 'json'], env);
    assert.equal(JSON.parse(list.stdout).length, 1, 'still one release');
  });

  it('a release rewritten in the file store is refused by rollback (E_RECORD_TAMPERED), nothing started', async () => {
    const kv = new FileKv(path.join(tmp, 'db', 'state'));
    const key = `/bosun/${project}/releases/0000000001`;
    try {
      const sealed = JSON.parse((await kv.get(key))!.value);
      sealed.record.desired.services[0].volumes = [{ hostPath: '/etc', target: '/host-etc', readOnly: false }];
      await kv.put(key, JSON.stringify(sealed));
    } finally {
      await kv.close();
    }
    const before = (await projectContainers(project)).map((c) => c.Id).sort();
    const r = await bosun(['rollback', '1', ...args()], env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /^bosun: E_RECORD_TAMPERED: release record at \S+0000000001 fails its authentication check: not acted on$/m,
    );
    assert.deepEqual((await projectContainers(project)).map((c) => c.Id).sort(), before);
  });

  it('a correctly sealed release whose desired state cannot run is refused too (E_RECORD_INVALID)', async () => {
    const sealer = new RecordSealer(loadOrCreateStateKey(path.join(tmp, 'db', 'state.key')).key);
    const kv = new FileKv(path.join(tmp, 'db', 'state'));
    const key = `/bosun/${project}/releases/0000000001`;
    try {
      const { record } = JSON.parse((await kv.get(key))!.value);
      record.desired.services[0].envFrom = [{ config: 'ghost', prefix: '' }];
      await kv.put(key, sealer.seal(key, record));
    } finally {
      await kv.close();
    }
    const r = await bosun(['rollback', '1', ...args()], env);
    assert.equal(r.code, 1, r.stdout);
    assert.match(
      r.stderr,
      /E_RECORD_INVALID: release record at \S+ is not one bosun can run \(desired state: service "api" reads Config "ghost", which the record does not hold\): not acted on/,
    );
  });

  it('a saved plan holds no secret (masked), is refused when its secret is edited, and applies from git', async () => {
    await repo.commit(stackFiles(project, { worker: false, webReplicas: 3 }), 'web x3');
    const out = path.join(tmp, 'plan.json');
    const dry = await bosun(['reconcile', ...args(), '--dry-run', '--out', out], env);
    assert.equal(dry.code, 0, dry.stderr);
    const text = await fs.readFile(out, 'utf8');
    assert.ok(!text.includes(SECRET_VALUE), 'the saved plan holds the secret in clear');
    assert.equal(await mode(out), '600');
    const saved = JSON.parse(text);
    const db = saved.plan.desired.configs.find((c: { name: string }) => c.name === 'db');
    assert.deepEqual(db.data, { DB_PASSWORD: '(secret)' });
    db.data.DB_PASSWORD = 'chosen-by-whoever-edits-the-file';
    const edited = path.join(tmp, 'edited.json');
    await fs.writeFile(edited, JSON.stringify(saved));
    const bad = await bosun(['apply', edited, ...args()], env);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /refused and nothing was applied: its desired state differs from git at [0-9a-f]{12} at configs\[\d\]\.data\.DB_PASSWORD/,
    );
    const ok = await bosun(['apply', out, ...args()], env);
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal((await projectContainers(project)).filter((c) => c.Labels['bosun.service'] === 'web').length, 3);
  });
});
