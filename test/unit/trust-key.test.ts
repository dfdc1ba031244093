import { strict as assert } from 'node:assert';

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BosunError } from '../../src/errors.ts';
import { keyedDigest, useDigestKey } from '../../src/model/digest.ts';
import { serviceSpecHash, sha256, specRecord } from '../../src/model/hash.ts';
import { digested } from '../../src/model/mask.ts';
import { defaultStateKeyFile, deriveStateKey, loadOrCreateStateKey } from '../../src/trust/state-key.ts';
import { desired, service } from '../helpers/model.ts';

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BosunError, String(err));
    return `${err.code}: ${err.message}`;
  }
  return 'no error';
}

describe('state key file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rec-key-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is created on first use: 32 random bytes, 0600, in a new 0700 folder; then read back as the same key', () => {
    const file = path.join(dir, 'nested', 'state.key');
    const first = loadOrCreateStateKey(file);
    assert.equal(first.created, true);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    assert.equal(fs.readFileSync(file).length, 32);
    const again = loadOrCreateStateKey(file);
    assert.equal(again.created, false);
    assert.equal(again.key.id, first.key.id);
    assert.deepEqual(again.key.mac, first.key.mac);
    assert.notEqual(loadOrCreateStateKey(path.join(dir, 'other.key')).key.id, first.key.id);
  });

  it('refuses a key file readable by group or others, naming the mode and the fix', () => {
    const file = path.join(dir, 'state.key');
    fs.writeFileSync(file, Buffer.alloc(32, 1), { mode: 0o644 });
    fs.chmodSync(file, 0o644);
    assert.equal(
      code(() => loadOrCreateStateKey(file)),
      `E_STATE_KEY: state key file ${file} is readable by others (mode 0644): run chmod 600 ${file}, and make a new key if others may have read it`,
    );
    fs.chmodSync(file, 0o640);
    assert.match(
      code(() => loadOrCreateStateKey(file)),
      /^E_STATE_KEY: .*mode 0640/,
    );
  });

  it('refuses a key file that is not 32 bytes, or not a file', () => {
    const file = path.join(dir, 'state.key');
    fs.writeFileSync(file, 'short\n', { mode: 0o600 });
    assert.equal(
      code(() => loadOrCreateStateKey(file)),
      `E_STATE_KEY: state key file ${file} holds 6 bytes, not 32: it is not a bosun state key`,
    );
    fs.mkdirSync(path.join(dir, 'adir'), { mode: 0o700 });
    assert.match(
      code(() => loadOrCreateStateKey(path.join(dir, 'adir'))),
      /^E_STATE_KEY: .* is not a regular file/,
    );
  });

  it('derives distinct subkeys per purpose, none equal to the key itself', () => {
    const master = Buffer.alloc(32, 9);
    const k = deriveStateKey(master);
    const all = [k.mac, k.encrypt, k.digest, master].map((b) => b.toString('hex'));
    assert.equal(new Set(all).size, 4);
    assert.match(k.id, /^[0-9a-f]{16}$/);
    assert.deepEqual(deriveStateKey(Buffer.alloc(32, 9)), k, 'deterministic: every controller derives the same');
  });

  it('defaults beside the embedded store, and to .bosun/state.key with etcd', () => {
    assert.equal(defaultStateKeyFile('.bosun/state'), path.join('.bosun', 'state.key'));
    assert.equal(defaultStateKeyFile('/var/lib/bosun/db.mdb'), '/var/lib/bosun/db.mdb.key');
    assert.equal(defaultStateKeyFile(undefined), path.join('.bosun', 'state.key'));
  });
});

describe('digests of secret values', () => {
  const pin = '4711';
  const secretConfig = { name: 'pin', prefix: '/p/', data: { PIN: pin }, secret: true };
  const plainConfig = { ...secretConfig, name: 'plain', secret: false };
  let saved: Buffer;
  before(() => (saved = useDigestKey(Buffer.alloc(32, 3))));
  after(() => useDigestKey(saved));

  it('keys the file digest of a secret Config: no plain SHA-256 of the content to try PINs against', () => {
    const svc = service('app', { files: [{ config: 'pin', key: 'PIN', target: '/run/pin', mode: 0o400 }] });
    const digest = specRecord(svc, [secretConfig]).files?.['/run/pin'];
    const guesses = Array.from({ length: 10_000 }, (_, i) => sha256(`${0o400}:${String(i).padStart(4, '0')}`));
    assert.ok(digest && !guesses.includes(digest), 'the plain hash of the PIN must not be the label digest');
    assert.equal(digest, keyedDigest(`${0o400}:${pin}`));
  });

  it('keys the digests that stand for secret values in a plan hash (mask.ts digested)', () => {
    assert.equal(digested(pin), `(secret ${keyedDigest(pin)})`);
    assert.notEqual(digested(pin), `(secret ${sha256(pin)})`);
  });

  it('keeps the plain hash of non-secret files and specs, so running containers are not replaced', () => {
    const svc = service('app', { files: [{ config: 'plain', key: 'PIN', target: '/run/pin', mode: 0o400 }] });
    assert.equal(specRecord(svc, [plainConfig]).files?.['/run/pin'], sha256(`${0o400}:${pin}`));
    const web = service('web');
    const d = desired([web]);
    const before = serviceSpecHash(web, d.configs);
    useDigestKey(Buffer.alloc(32, 4));
    assert.equal(serviceSpecHash(web, d.configs), before);
  });

  it('keys the spec hash of a service that reads a secret: another key gives another hash', () => {
    const svc = service('app', { files: [{ config: 'pin', key: 'PIN', target: '/run/pin', mode: 0o400 }] });
    useDigestKey(Buffer.alloc(32, 5));
    const a = serviceSpecHash(svc, [secretConfig]);
    useDigestKey(Buffer.alloc(32, 6));
    assert.notEqual(serviceSpecHash(svc, [secretConfig]), a);
    assert.match(a, /^[0-9a-f]{64}$/);
  });
});
