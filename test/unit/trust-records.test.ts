import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BosunError } from '../../src/errors.ts';
import type { Release } from '../../src/model/release.ts';
import { readPin, writePin } from '../../src/release/pin.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { readOwnedKeys, updateOwnedKeys } from '../../src/store/owned-keys.ts';
import { KEY_MARKER, loadKeyFor, markKey } from '../../src/trust/key-marker.ts';
import { openRelease, sealRelease } from '../../src/trust/release-record.ts';
import { type Rejection, RecordSealer } from '../../src/trust/sealer.ts';
import { deriveStateKey } from '../../src/trust/state-key.ts';
import { MemoryKv } from '../fakes/memory-store.ts';
import { desired, service } from '../helpers/model.ts';

const sealer = () => new RecordSealer(deriveStateKey(Buffer.alloc(32, 1)));
const SECRET = 'hunter2-topsecret';

function release(over: Partial<Release> = {}): Release {
  const d = desired(
    [service('web', { envFrom: [{ config: 'db', prefix: '' }] })],
    [{ name: 'db', prefix: '/shop/db/', data: { DB_PASSWORD: SECRET }, secret: true }],
  );
  return {
    number: 3,
    project: 'shop',
    repo: 'r',
    ref: 'main',
    revision: 'a'.repeat(40),
    trigger: 'cli',
    actor: 'me@host',
    desired: d,
    images: { web: 'sha256:1' },
    summary: { create: 1, replace: 0, remove: 0, keysPut: 1, keysDeleted: 0, networks: 0, volumes: 0 },
    operations: [],
    startedAt: '2030-01-01T00:00:00.000Z',
    status: 'succeeded',
    ...over,
  };
}

function rejected(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BosunError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

const KEY = '/bosun/shop/releases/0000000003';
const entry = (value: string, key = KEY) => ({ key, value, version: '1' });

describe('record sealer', () => {
  it('opens what it sealed, and tells every listener of each record it refuses', () => {
    const s = sealer();
    const seen: Rejection[] = [];
    s.onRejected((r) => seen.push(r));
    assert.deepEqual(s.open(entry(s.seal(KEY, { a: 1 })), 'x'), { a: 1 });
    const forged = JSON.parse(s.seal(KEY, { a: 1 }));
    forged.record.a = 2;
    const err = rejected(() => s.open(entry(JSON.stringify(forged)), 'release record'));
    assert.equal(err.code, 'E_RECORD_TAMPERED');
    assert.equal(err.message, `release record at ${KEY} fails its authentication check: not acted on`);
    assert.deepEqual(
      seen.map((r) => [r.key, r.error.code]),
      [[KEY, 'E_RECORD_TAMPERED']],
    );
  });

  it('refuses a sealed record moved to another key (release 3 replayed as release 9)', () => {
    const s = sealer();
    const err = rejected(() => s.open(entry(s.seal(KEY, { a: 1 }), '/bosun/shop/releases/0000000009'), 'x'));
    assert.equal(err.code, 'E_RECORD_TAMPERED');
  });

  it('refuses an unsigned record (written before records were sealed) as untrusted', () => {
    const err = rejected(() => sealer().open(entry(JSON.stringify(release())), 'release record'));
    assert.equal(
      err.message,
      `release record at ${KEY} is not sealed (written by someone else, or before records were signed): not acted on`,
    );
  });

  it('names both key ids when the record was sealed with another key', () => {
    const other = new RecordSealer(deriveStateKey(Buffer.alloc(32, 2)));
    const mine = sealer();
    const err = rejected(() => mine.open(entry(other.seal(KEY, { a: 1 })), 'pin'));
    assert.equal(
      err.message,
      `pin at ${KEY} fails its authentication check (sealed with state key ${other.key.id}, this controller holds ${mine.key.id}): not acted on`,
    );
  });

  it('encrypts with AES-256-GCM: a fresh IV each time, bound to its place, any changed bit refused', () => {
    const s = sealer();
    const a = s.encrypt(SECRET, 'here');
    assert.notEqual(a, s.encrypt(SECRET, 'here'));
    assert.ok(!a.includes(SECRET) && !Buffer.from(a.slice(13), 'base64').toString('latin1').includes(SECRET));
    assert.equal(s.decrypt(a, 'here'), SECRET);
    assert.equal(s.tryDecrypt(a, 'elsewhere'), undefined);
    const bytes = Buffer.from(a.slice('bosun-enc:v1:'.length), 'base64');
    bytes[bytes.length - 1]! ^= 1;
    assert.equal(s.tryDecrypt(`bosun-enc:v1:${bytes.toString('base64')}`, 'here'), undefined);
    assert.equal(rejected(() => s.decrypt('plain', 'here')).code, 'E_RECORD_TAMPERED');
    assert.equal(new RecordSealer(deriveStateKey(Buffer.alloc(32, 2))).tryDecrypt(a, 'here'), undefined);
  });
});

describe('release records', () => {
  it('keep secret Config values encrypted at rest and give them back on reading', () => {
    const s = sealer();
    const text = sealRelease(s, KEY, release());
    assert.ok(!text.includes(SECRET), text);
    assert.deepEqual(openRelease(s, entry(text), 'shop', 3), release());
  });

  it('refuse a correctly sealed record whose desired state bosun cannot run (E_RECORD_INVALID)', () => {
    const s = sealer();
    const bad = release();
    bad.desired.services[0]!.envFrom = [{ config: 'nope', prefix: '' }];
    const err = rejected(() => openRelease(s, entry(sealRelease(s, KEY, bad)), 'shop', 3));
    assert.equal(err.code, 'E_RECORD_INVALID');
    assert.match(err.message, /service "web" reads Config "nope", which the record does not hold/);
    const shape = release();
    (shape.desired.services[0] as unknown as Record<string, unknown>).privileged = true;
    assert.match(
      rejected(() => openRelease(s, entry(sealRelease(s, KEY, shape)), 'shop', 3)).message,
      /desired state\/services\/0 must NOT have additional properties/,
    );
    assert.match(
      rejected(() => openRelease(s, entry(sealRelease(s, KEY, release())), 'shop', 4)).message,
      /it says release 3/,
    );
  });

  it('accept every field a release can hold: historyLimit, allowEmpty, adopt, forcePush, a down state, sealed values, field locations, a binding, a signer, a build, repo copies', () => {
    const s = sealer();
    const r = release({
      forcePush: { previousRelease: 2, previousRevision: 'b'.repeat(40) },
      trigger: 'down',
      binding: { reason: 'first', source: { repo: 'https://git.example/a.git', path: '' } },
      signer: { type: 'ssh', fingerprint: 'SHA256:abc', identity: 'alice@example.com' },
    });
    r.desired.locations['Service/web:image'] = { file: 'web.yaml', line: 3, col: 10, path: 'spec.image' };
    r.desired.project.historyLimit = 10;
    r.desired.project.allowEmpty = true;
    r.desired.project.update.failureAction = 'pause';
    r.desired.services[0]!.build = {
      context: 'stacks/shop/web',
      dockerfile: 'Dockerfile',
      target: 'prod',
      args: { V: '1' },
      identity: 'e'.repeat(64),
    };
    r.desired.services[0]!.copies = [
      {
        source: 'stacks/shop/conf',
        target: '/etc/app',
        readOnly: true,
        digest: 'd'.repeat(64),
        content: { 'app.conf': 'cG9ydD04MAo=', 'run.sh': 'ZWNobwo=' },
        executable: ['run.sh'],
      },
    ];
    r.desired.configs.push({
      name: 'age',
      prefix: '/shop/age/',
      data: {},
      secret: true,
      adopt: true,
      sealed: {
        K: { from: { env: 'BOSUN_SECRET_K' }, at: { file: 'c.yaml', line: 1, col: 1, path: 'spec.dataFrom.K' } },
      },
    });
    assert.deepEqual(openRelease(s, entry(sealRelease(s, KEY, r)), 'shop', 3), r);
  });
  it('accept the container options, anonymous mounts and engine-named, external networks and volumes', () => {
    const s = sealer();
    const r = release();
    const web = r.desired.services[0]!;
    web.volumes = [
      { target: '/cache', readOnly: false },
      { volume: 'data', target: '/data', readOnly: false },
    ];
    web.networks = ['back'];
    web.options = {
      containerName: 'shop-web',
      hostname: 'web',
      init: true,
      tty: true,
      stdinOpen: true,
      readOnlyRootfs: true,
      stopSignal: 'SIGQUIT',
      privileged: false,
      capAdd: ['NET_ADMIN'],
      capDrop: ['MKNOD'],
      sysctls: { 'net.core.somaxconn': '1024' },
      ulimits: { nofile: { soft: 1024, hard: 4096 } },
      tmpfs: [{ target: '/run', sizeBytes: 1024, mode: 0o1777 }, { target: '/tmp' }],
      extraHosts: ['a.local:10.0.0.1'],
      dns: ['10.0.0.53'],
      dnsSearch: ['svc.local'],
      dnsOptions: ['ndots:2'],
      shmSizeBytes: 67108864,
      logging: { driver: 'json-file', options: { 'max-size': '10m' } },
      devices: [{ host: '/dev/fuse', container: '/dev/fuse', permissions: 'rwm' }],
      platform: 'linux/amd64',
      expose: [{ port: 9000, protocol: 'tcp' }],
      networkOptions: { back: { aliases: ['api'], ipv4Address: '10.5.0.10' } },
    };
    r.desired.networks.push({
      name: 'back',
      driver: 'bridge',
      internal: false,
      labels: {},
      engineName: 'shop_back',
      ipam: [{ subnet: '10.5.0.0/24', gateway: '10.5.0.1', ipRange: '10.5.0.0/25' }],
      attachable: true,
    });
    r.desired.volumes.push(
      { name: 'data', driver: 'local', labels: {}, engineName: 'shop_data', driverOpts: { type: 'tmpfs' } },
      { name: 'ext', driver: 'local', labels: {}, engineName: 'ext', external: true },
    );
    assert.deepEqual(openRelease(s, entry(sealRelease(s, KEY, r)), 'shop', 3), r);
    (web.options as Record<string, unknown>).cgroupParent = '/evil';
    assert.match(
      rejected(() => openRelease(s, entry(sealRelease(s, KEY, r)), 'shop', 3)).message,
      /desired state\/services\/0\/options must NOT have additional properties/,
    );
  });
});

describe('stores of sealed records (memory)', () => {
  it('ReleaseStore: a forged release is refused by get and latest, left out of list', async () => {
    const kv = new MemoryKv();
    const store = new ReleaseStore(kv, sealer());
    const { number, startedAt, status, finishedAt, error, ...draft } = release();
    const r1 = await store.begin(draft);
    await store.finish('shop', r1.number, 'succeeded');
    const key = '/bosun/shop/releases/0000000001';
    const forged = JSON.parse(kv.entries.get(key)!.value);
    forged.record.desired.services[0].volumes = [{ hostPath: '/etc', target: '/host-etc', readOnly: false }];
    kv.write(key, JSON.stringify(forged));
    assert.equal(((await store.get('shop', 1).catch((e: unknown) => e)) as BosunError).code, 'E_RECORD_TAMPERED');
    assert.equal(
      ((await store.latest('shop', 'succeeded').catch((e: unknown) => e)) as BosunError).code,
      'E_RECORD_TAMPERED',
    );
    assert.deepEqual(await store.list('shop'), []);
  });

  it('a forged release on top: begin still records from git, and prunes nothing while the one in force is unknown', async () => {
    const kv = new MemoryKv();
    const store = new ReleaseStore(kv, sealer());
    const { number, startedAt, status, finishedAt, error, ...draft } = release();
    for (let i = 0; i < 3; i++) await store.finish('shop', (await store.begin(draft, 2)).number, 'succeeded');
    const key = '/bosun/shop/releases/0000000003';
    const forged = JSON.parse(kv.entries.get(key)!.value);
    forged.record.images = { web: 'sha256:evil' };
    kv.write(key, JSON.stringify(forged));
    assert.equal((await store.begin(draft, 2)).number, 4);
    const kept = [...kv.entries.keys()].filter((k) => /\/\d{10}$/.test(k)).map((k) => Number(k.slice(-10)));
    assert.deepEqual(kept, [2, 3, 4], 'nothing pruned by this begin (1 went with release 3)');
  });

  it('a forged pin is ignored (the stack follows git) and reported', async () => {
    const kv = new MemoryKv();
    const s = sealer();
    const seen: string[] = [];
    s.onRejected((r) => seen.push(r.error.code));
    await writePin(kv, s, 'shop', { release: 2, at: 'now', by: 'me' });
    assert.equal((await readPin(kv, s, 'shop'))?.release, 2);
    kv.write('/bosun/shop/pin', JSON.stringify({ release: 1, at: 'now', by: 'attacker' }));
    assert.equal(await readPin(kv, s, 'shop'), undefined);
    assert.deepEqual(seen, ['E_RECORD_TAMPERED']);
  });

  it('forged owned keys are read as none (nothing pruned), and the next write starts afresh', async () => {
    const kv = new MemoryKv();
    const s = sealer();
    await updateOwnedKeys(kv, s, 'shop', ['/a'], []);
    kv.write('/bosun/shop/owned-keys', JSON.stringify(['/a', '/etc/important']));
    assert.deepEqual(await readOwnedKeys(kv, s, 'shop'), []);
    await updateOwnedKeys(kv, s, 'shop', ['/b'], []);
    assert.deepEqual(await readOwnedKeys(kv, s, 'shop'), ['/b']);
  });
});

describe('the store remembers its key id', () => {
  it('writes the id with the first record, and refuses to create a second key for a store that has one', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-marker-'));
    try {
      const kv = new MemoryKv();
      const first = await loadKeyFor(kv, path.join(dir, 'a.key'));
      assert.equal(await kv.get(KEY_MARKER), undefined, 'loading the key writes nothing to the store');
      await markKey(kv, first.key.id);
      assert.equal((await kv.get(KEY_MARKER))?.value, first.key.id);
      assert.equal((await loadKeyFor(kv, path.join(dir, 'a.key'))).key.id, first.key.id);
      const err = (await loadKeyFor(kv, path.join(dir, 'b.key')).catch((e: unknown) => e)) as BosunError;
      assert.equal(err.code, 'E_STATE_KEY');
      assert.match(
        err.message,
        new RegExp(
          `^no state key file at .*b.key, but the records in memory: are sealed with state key ${first.key.id}`,
        ),
      );
      assert.equal(fs.existsSync(path.join(dir, 'b.key')), false, 'no second key was made');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
