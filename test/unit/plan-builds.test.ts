import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import type { BuildSpec, RepoCopySpec } from '../../src/model/desired.ts';
import { planString } from '../../src/render/render.ts';
import { converged, desired, emptyObserved, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'a'.repeat(40) };
const ID = 'abcdef0123456789'.repeat(4);
const build = (identity = ID): BuildSpec => ({
  context: 'stacks/shop/web',
  dockerfile: 'Dockerfile',
  args: {},
  identity,
});
const webImage = `shop-web:${ID.slice(0, 12)}`;
const copy: RepoCopySpec = {
  source: 'stacks/shop/conf',
  target: '/etc/app',
  readOnly: true,
  digest: 'd'.repeat(64),
  content: { 'app.conf': Buffer.from('port=80\n').toString('base64'), 'bin/run.sh': 'ZWNobwo=' },
  executable: ['bin/run.sh'],
};

describe('plan: builds and repo copies (docker)', () => {
  it('builds a missing image first, beside the networks, and says so in the plan text', () => {
    const d = desired([service('web', { image: webImage, build: build() }), service('db')]);
    const p = plan(d, emptyObserved(), ctx);
    assert.equal(
      planString(p),
      `Plan for shop at aaaaaaaaaaaa (main of https://git.example/shop.git): 2 to create, 0 to replace, 0 to remove, 0 key(s) to put, 0 key(s) to delete, 1 network(s) and 0 volume(s) to create

  + create network shop_default — missing
  + build web from ./stacks/shop/web@abcdef012345 — image ${webImage} missing
  + create container shop-db-1 (app:1) — missing
  + create container shop-web-1 (${webImage}) — missing
`,
    );
    assert.equal(p.operations[1]!.phase, p.operations[0]!.phase, 'built in the first phase, before any container');
  });

  it('builds nothing when the tag holds the identity, and again when it holds another build', () => {
    const d = desired([service('web', { image: 'my/web:dev', build: build() })]);
    const present = plan(d, emptyObserved({ images: { 'my/web:dev': ID } }), ctx);
    assert.deepEqual(
      present.operations.map((o) => o.kind),
      ['create-network', 'create-container'],
    );
    const moved = plan(d, emptyObserved({ images: { 'my/web:dev': 'f'.repeat(64) } }), ctx);
    assert.equal(moved.operations.find((o) => o.kind === 'build-image')?.cause, 'image my/web:dev holds another build');
  });

  it('builds nothing for a service that starts no container, even with its tag gone', () => {
    const d = desired([service('web', { image: webImage, build: build() })]);
    assert.deepEqual(plan(d, converged(d), ctx).operations, []);
  });

  it('a changed identity replaces the service with a new tag, built first', () => {
    const before = desired([service('web', { image: webImage, build: build() })]);
    const other = 'b'.repeat(64);
    const after = desired([service('web', { image: `shop-web:${other.slice(0, 12)}`, build: build(other) })]);
    const p = plan(after, { ...converged(before), images: { [webImage]: ID } }, ctx);
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['build-image', 'replace-container'],
    );
    assert.match(
      p.operations[1]!.cause,
      /^build\.identity abcdef0123456789\w+ → b{64}, image shop-web:abcdef012345 → shop-web:bbbbbbbbbbbb$/,
    );
  });

  it('copies files with their modes (read-only: no write bits), and notes they are copies', () => {
    const d = desired([service('web', { copies: [copy] })]);
    const p = plan(d, emptyObserved(), ctx);
    const create = p.operations.find((o) => o.kind === 'create-container');
    assert.ok(create && create.kind === 'create-container');
    assert.deepEqual(create.blueprint.copies, [
      { path: '/etc/app/app.conf', base64: copy.content['app.conf'], mode: 0o444 },
      { path: '/etc/app/bin/run.sh', base64: 'ZWNobwo=', mode: 0o555 },
    ]);
    assert.deepEqual(p.notes, ['web: ./stacks/shop/conf copied in at /etc/app (a copy, not a live mount)']);
    assert.deepEqual(plan(d, converged(d), ctx).notes, [], 'no note when nothing starts');
  });

  it('a changed copied file replaces exactly its reader, with the digest as the change', () => {
    const before = desired([service('web', { copies: [copy] }), service('db')]);
    const after = desired([service('web', { copies: [{ ...copy, digest: 'e'.repeat(64) }] }), service('db')]);
    const p = plan(after, converged(before), ctx);
    assert.deepEqual(
      p.operations.map((o) => `${o.kind} ${o.service}`),
      ['replace-container web'],
    );
    assert.match(p.operations[0]!.cause, /^copies\[0\]\.digest d+ → e+$/);
  });
});
