/**
 * The KvStore contract: what every state store must do, as one suite to run against each store
 * (and each way of reaching etcd: plaintext, TLS with a client certificate, a restricted user).
 * Keys go under /bosun/<project>/ and /<project>/, with project = bosun-test-<random>.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { BosunError } from '../../src/errors.ts';
import type { ReleaseDraft } from '../../src/model/release.ts';
import type { KvStore } from '../../src/ports.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { readOwnedKeys, updateOwnedKeys } from '../../src/store/owned-keys.ts';
import { desired } from './model.ts';
import { testSealer } from './state-key.ts';

const suffix = () => randomBytes(4).toString('hex');

export function draft(project: string): ReleaseDraft {
  const summary = { create: 1, replace: 0, remove: 0, keysPut: 0, keysDeleted: 0, networks: 0, volumes: 0 };
  return {
    project,
    repo: 'https://git.example/app.git',
    ref: 'main',
    revision: 'a'.repeat(40),
    trigger: 'cli',
    actor: 'tester@host',
    desired: desired([], [], project),
    images: { web: 'sha256:1' },
    summary,
    operations: ['create web-1'],
  };
}

export async function rejectsWithCode(p: Promise<unknown>, code: string): Promise<BosunError> {
  const err = await p.then(
    () => assert.fail(`expected ${code}`),
    (e: unknown) => e as BosunError,
  );
  assert.ok(err instanceof BosunError, String(err));
  assert.equal(err.code, code, err.message);
  return err;
}

/** Registers the contract suite for the store `open` returns (opened once, closed after). */
export function describeKvStoreContract(name: string, open: () => Promise<KvStore>): void {
  describe(`KvStore contract: ${name}`, () => {
    let kv: KvStore;
    let project: string; // each test's own: releases and owned keys go under /bosun/<project>/
    let base: string; // and every other key it writes under /<project>/
    before(async () => (kv = await open()));
    after(async () => kv?.close());
    beforeEach(() => {
      project = `bosun-test-${suffix()}`;
      base = `/${project}/`;
    });
    afterEach(async () => {
      for (const prefix of [base, `/bosun/${project}/`]) {
        for (const e of await kv.list(prefix)) await kv.delete(e.key);
        assert.deepEqual(await kv.list(prefix), []);
      }
    });

    it('gets, puts, lists by prefix in key order, and deletes', async () => {
      assert.equal(await kv.get(`${base}missing`), undefined);
      for (const k of ['b', 'a', 'c/d']) await kv.put(`${base}dir/${k}`, `value ${k}`);
      await kv.put(`${base}dirx`, 'outside the prefix');
      const got = await kv.get(`${base}dir/a`);
      assert.equal(got?.value, 'value a');
      assert.equal(got?.key, `${base}dir/a`);
      const listed = await kv.list(`${base}dir/`);
      assert.deepEqual(
        listed.map((e) => e.key),
        ['a', 'b', 'c/d'].map((k) => `${base}dir/${k}`),
      );
      assert.deepEqual(
        listed.map((e) => e.value),
        ['value a', 'value b', 'value c/d'],
      );
      await kv.delete(`${base}dir/b`);
      await kv.delete(`${base}never-written`);
      assert.equal(await kv.get(`${base}dir/b`), undefined);
      assert.equal((await kv.list(`${base}dir/`)).length, 2);
    });

    it('putIf(null) writes only an absent key', async () => {
      const key = `${base}k`;
      assert.equal(await kv.putIf(key, 'first', null), true);
      assert.equal((await kv.get(key))?.value, 'first');
      assert.equal(await kv.putIf(key, 'second', null), false);
      assert.equal((await kv.get(key))?.value, 'first');
    });

    it('putIf(version) writes only over that version; a stale one writes nothing', async () => {
      const key = `${base}k`;
      await kv.put(key, 'v1');
      const v1 = (await kv.get(key))!.version;
      assert.equal(await kv.putIf(key, 'v2', v1), true);
      const v2 = (await kv.get(key))!;
      assert.equal(v2.value, 'v2');
      assert.equal(await kv.putIf(key, 'v3', v1), false);
      assert.deepEqual(await kv.get(key), v2);
      assert.equal(await kv.putIf(`${base}absent`, 'x', v1), false);
      assert.equal(await kv.get(`${base}absent`), undefined);
    });

    it('commit writes and deletes several keys only when every expected version holds', async () => {
      await kv.put(`${base}old`, 'x');
      const old = (await kv.get(`${base}old`))!.version;
      const txn = (version: string | null) => ({
        expect: [
          { key: `${base}new`, version: null },
          { key: `${base}old`, version },
        ],
        put: [
          { key: `${base}new`, value: 'n' },
          { key: `${base}note`, value: 'm' },
        ],
        delete: [`${base}old`, `${base}never-written`],
      });
      assert.equal(await kv.commit(txn('999999999')), false, 'a stale version changes nothing');
      assert.deepEqual(
        (await kv.list(base)).map((e) => e.key),
        [`${base}old`],
      );
      assert.equal(await kv.commit(txn(old)), true);
      assert.deepEqual(
        (await kv.list(base)).map((e) => [e.key, e.value]),
        [
          [`${base}new`, 'n'],
          [`${base}note`, 'm'],
        ],
      );
      assert.equal(await kv.commit(txn(null)), false, 'an expected-absent key that exists changes nothing');
      assert.equal((await kv.list(base)).length, 2);
    });

    it('changes the version on every write, even of the same value', async () => {
      const key = `${base}k`;
      const versions: string[] = [];
      const current = async () => versions.push((await kv.get(key))!.version);
      for (let i = 0; i < 3; i++) await kv.put(key, 'same').then(current);
      assert.equal(await kv.putIf(key, 'same', versions.at(-1)!), true);
      await current();
      await kv.delete(key);
      await kv.put(key, 'same').then(current);
      assert.equal(new Set(versions).size, 5, `versions: ${versions.join(', ')}`);
    });

    it('gives 50 concurrent begin() calls the numbers 1..50, once each', async () => {
      const store = new ReleaseStore(kv, testSealer());
      const releases = await Promise.all(Array.from({ length: 50 }, () => store.begin(draft(project))));
      const numbers = releases.map((r) => r.number).sort((a, b) => a - b);
      assert.deepEqual(
        numbers,
        Array.from({ length: 50 }, (_, i) => i + 1),
      );
      assert.deepEqual(
        (await store.list(project)).map((r) => r.number),
        numbers,
      );
    });

    it('finishes, lists, gets and finds the latest release', async () => {
      const store = new ReleaseStore(kv, testSealer(), () => new Date('2030-01-02T03:04:05.000Z'));
      const [r1] = [
        await store.begin(draft(project)),
        await store.begin(draft(project)),
        await store.begin(draft(project)),
      ];
      assert.deepEqual([r1!.number, r1!.status, r1!.startedAt], [1, 'applying', '2030-01-02T03:04:05.000Z']);
      const done = await store.finish(project, 1, 'succeeded');
      assert.deepEqual(
        [done.status, done.finishedAt, done.error],
        ['succeeded', '2030-01-02T03:04:05.000Z', undefined],
      );
      const error = { code: 'E_CONTAINER_FAILED', message: 'web-1 exited with 1' };
      await store.finish(project, 2, 'failed', error);
      const got = await store.get(project, 2);
      assert.deepEqual(
        [got.status, got.error, got.revision, got.images],
        ['failed', error, 'a'.repeat(40), { web: 'sha256:1' }],
      );
      assert.deepEqual(
        (await store.list(project)).map((r) => r.status),
        ['succeeded', 'failed', 'applying'],
      );
      assert.equal((await store.latest(project))?.number, 3);
      assert.equal((await store.latest(project, 'succeeded'))?.number, 1);
      assert.equal(await store.latest(project, 'rolled-back'), undefined);
      assert.equal(await store.latest(`${project}-none`), undefined);
      const retried = await store.finish(project, 2, 'interrupted');
      assert.equal(retried.error, undefined, 'a later finish without error clears the old one');
    });

    it('finds the latest release walking back from the counter, never listing the history', async () => {
      const store = new ReleaseStore(kv, testSealer());
      for (let i = 0; i < 5; i++) await store.begin(draft(project));
      await store.finish(project, 2, 'succeeded');
      await store.finish(project, 4, 'failed');
      let lists = 0;
      const counted = new Proxy(kv, {
        get(target, key) {
          if (key === 'list') lists++;
          const value = Reflect.get(target, key, target);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const walker = new ReleaseStore(counted, testSealer());
      assert.equal((await walker.latest(project, 'succeeded'))?.number, 2);
      assert.equal((await walker.newest(project))?.number, 5);
      assert.equal(lists, 0);
      // a crash between the counter and its release: the counter names a release that is not there
      await kv.put(`/bosun/${project}/releases/counter`, '6');
      assert.equal((await walker.newest(project))?.number, 5);
      assert.equal((await walker.latest(project, 'failed'))?.number, 4);
    });

    it('reports a missing release as E_RELEASE_NOT_FOUND', async () => {
      const store = new ReleaseStore(kv, testSealer());
      const err = await rejectsWithCode(store.get(project, 7), 'E_RELEASE_NOT_FOUND');
      assert.equal(err.message, `release 7 not found for project ${project}`);
      await rejectsWithCode(store.finish(project, 7, 'failed'), 'E_RELEASE_NOT_FOUND');
      assert.equal(await kv.get(`/bosun/${project}/releases/0000000007`), undefined, 'finish must not create it');
    });

    it('continues after the highest release when the counter is lost', async () => {
      const store = new ReleaseStore(kv, testSealer());
      await store.begin(draft(project));
      await store.begin(draft(project));
      await kv.delete(`/bosun/${project}/releases/counter`);
      assert.equal((await store.begin(draft(project))).number, 3);
    });

    it('tracks owned keys as a sorted set, under concurrent updates', async () => {
      assert.deepEqual(await readOwnedKeys(kv, testSealer(), project), []);
      await Promise.all(['/c', '/a', '/b', '/d'].map((k) => updateOwnedKeys(kv, testSealer(), project, [k], [])));
      await updateOwnedKeys(kv, testSealer(), project, ['/e', '/a'], ['/b', '/zz']);
      assert.deepEqual(await readOwnedKeys(kv, testSealer(), project), ['/a', '/c', '/d', '/e']);
      // sealed: the list, and a MAC over it and its key
      const stored = JSON.parse((await kv.get(`/bosun/${project}/owned-keys`))!.value);
      assert.deepEqual([stored.format, stored.record], ['bosun-sealed/v1', ['/a', '/c', '/d', '/e']]);
    });
  });
}
