import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { KvStore } from '../../src/ports.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { EtcdKv } from '../../src/store/etcd/index.ts';
import { FileKv } from '../../src/store/file.ts';
import { DEFAULT_STATE_URL, openStore } from '../../src/store/open.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { secureEtcds } from '../helpers/etcd-secure.ts';
import { describeKvStoreContract, draft, rejectsWithCode } from '../helpers/store-contract.ts';

const execFileP = promisify(execFile);
const suffix = () => randomBytes(4).toString('hex');
const tempDirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-store-'));
  tempDirs.push(dir);
  return dir;
};
after(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const backends: { name: string; open(): Promise<KvStore> }[] = [
  { name: 'etcd', open: async () => (await requireEtcd(), openStore(ETCD_URL)) },
  { name: 'file', open: async () => new FileKv(join(tempDir(), 'state')) },
  { name: 'etcd over TLS with a client certificate', open: async () => openSecure('mtls') },
  { name: 'etcd over TLS as a restricted user', open: async () => openSecure('auth') },
];

async function openSecure(which: 'mtls' | 'auth'): Promise<KvStore> {
  const etcd = (await secureEtcds())[which];
  return openStore(etcd.url, etcd.access);
}

for (const backend of backends) describeKvStoreContract(backend.name, backend.open);

describe('FileKv across processes', () => {
  it('gives two processes racing begin() 20 times each 40 distinct numbers', async () => {
    const dir = join(tempDir(), 'state');
    const project = `race-${suffix()}`;
    const src = (p: string) => pathToFileURL(join(process.cwd(), p)).href;
    const script = `
      const { FileKv } = await import(${JSON.stringify(src('src/store/file.ts'))});
      const { ReleaseStore } = await import(${JSON.stringify(src('src/release/store.ts'))});
      const kv = new FileKv(${JSON.stringify(dir)});
      const store = new ReleaseStore(kv);
      const draft = ${JSON.stringify(draft(project))};
      const got = await Promise.all(Array.from({ length: 20 }, () => store.begin(draft)));
      await kv.close();
      console.log(JSON.stringify(got.map((r) => r.number)));`;
    const child = () => execFileP(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const [a, b] = await Promise.all([child(), child()]);
    const numbers = [...JSON.parse(a.stdout), ...JSON.parse(b.stdout)].sort((x, y) => x - y);
    assert.deepEqual(
      numbers,
      Array.from({ length: 40 }, (_, i) => i + 1),
    );
    const kv = new FileKv(dir);
    assert.equal((await new ReleaseStore(kv).list(project)).length, 40);
    await kv.close();
  });

  it('keeps entries and a growing version across reopening', async () => {
    const dir = join(tempDir(), 'nested', 'state');
    const first = new FileKv(dir);
    await first.put('/k', 'v');
    const before = (await first.get('/k'))!;
    await first.close();
    const second = new FileKv(dir);
    assert.deepEqual(await second.get('/k'), before);
    await second.put('/other', 'w');
    assert.ok(Number((await second.get('/other'))!.version) > Number(before.version));
    await second.close();
  });
});

describe('openStore', () => {
  it('rejects urls it does not understand with E_STORE_URL', async () => {
    const err = await rejectsWithCode(openStore('redis://x:1'), 'E_STORE_URL');
    assert.equal(
      err.message,
      'state url "redis://x:1" is not etcd://host:port[,host:port], etcds://host:port[,host:port] or file:<path>',
    );
    for (const url of ['', 'etcd://', 'etcd://host', 'etcd://a:1,,b:2', 'http://a:1,b:2', 'file:', '.bosun/state']) {
      await rejectsWithCode(openStore(url), 'E_STORE_URL');
    }
  });

  it('fails fast with E_STORE_UNREACHABLE naming the endpoint', async () => {
    const started = Date.now();
    const err = await rejectsWithCode(openStore('etcd://127.0.0.1:1'), 'E_STORE_UNREACHABLE');
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    assert.equal(err.message, 'cannot reach etcd at 127.0.0.1:1: connection refused');
    assert.equal(err.disposition, 'retry');
    const two = await rejectsWithCode(openStore('etcd://127.0.0.1:1,127.0.0.1:2'), 'E_STORE_UNREACHABLE');
    assert.equal(two.message, 'cannot reach etcd at 127.0.0.1:1,127.0.0.1:2: connection refused');
  });

  it('keeps failing with the real cause, not a circuit breaker, on every call', async () => {
    const kv = new EtcdKv(['127.0.0.1:1']);
    for (let i = 0; i < 5; i++) {
      const err = await rejectsWithCode(kv.get('/x'), 'E_STORE_UNREACHABLE');
      assert.match(err.message, /connection refused$/);
    }
    await kv.close();
  });

  it('opens etcd given as http://host:port, and file: paths relative to the cwd', async () => {
    await requireEtcd();
    const etcd = await openStore(ETCD_URL.replace(/^etcd:/, 'http:').split(',')[0]!);
    assert.equal(await etcd.get(`/bosun-test-${suffix()}`), undefined);
    await etcd.close();
    const dir = tempDir();
    const file = await openStore(`file:${relative(process.cwd(), join(dir, 'rel'))}`);
    assert.ok(file instanceof FileKv && file.path === join(dir, 'rel'));
    await file.close();
    assert.equal(DEFAULT_STATE_URL, 'file:.bosun/state');
  });
});
