import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import type { ContainerOperation } from '../../src/backends/docker/model.ts';
import { BosunError } from '../../src/errors.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import { planString } from '../../src/render/render.ts';
import { desired, emptyObserved, running, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'c'.repeat(40) };

/** A stack as the compose mapper gives it: `name:` and `external` networks and volumes. */
function named(): DesiredState {
  const web = service('web', {
    networks: ['front', 'proxy'],
    volumes: [
      { volume: 'data', target: '/data', readOnly: false },
      { volume: 'shared', target: '/shared', readOnly: true },
    ],
    options: { networkOptions: { proxy: { aliases: ['www'] } } },
  });
  const d = desired([web]);
  d.networks = [
    { name: 'front', driver: 'bridge', internal: false, labels: {}, engineName: 'shared-front' },
    { name: 'proxy', driver: 'bridge', internal: false, labels: {}, engineName: 'edge', external: true },
  ];
  d.volumes = [
    { name: 'data', driver: 'local', labels: {}, engineName: 'keep-data' },
    { name: 'shared', driver: 'local', labels: {}, engineName: 'ext-vol', external: true },
  ];
  return d;
}

const elsewhere = { networks: ['bridge', 'edge'], volumes: ['ext-vol'] };

function refusal(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BosunError, String(err));
    return err;
  }
  assert.fail('expected a refusal');
}

describe('docker plan: networks and volumes by the engine name the format fixed', () => {
  it('creates the named ones by name, never the external ones, and attaches and mounts by those names', () => {
    const p = plan(named(), emptyObserved({ elsewhere }), ctx);
    const infra = p.operations.filter((o) => o.kind === 'create-network' || o.kind === 'create-volume');
    assert.deepEqual(
      infra.map((o) => `${o.kind} ${(o as { name: string }).name}`),
      ['create-network shared-front', 'create-volume keep-data'],
    );
    const create = p.operations.find((o) => o.kind === 'create-container') as Extract<
      ContainerOperation,
      { kind: 'create-container' }
    >;
    assert.deepEqual(create.blueprint.networks, ['shared-front', 'edge']);
    assert.deepEqual(
      create.blueprint.mounts.map((m) => m.source),
      ['keep-data', 'ext-vol'],
    );
    assert.deepEqual(Object.keys(create.blueprint.options?.networkOptions ?? {}), ['edge']);
  });

  it('uses a named network or volume made outside the project as found, and plans nothing once all exist', () => {
    const d = named();
    const observed = emptyObserved({
      elsewhere: { networks: ['edge', 'shared-front'], volumes: ['ext-vol', 'keep-data'] },
      containers: [running(d, 'web', 1)],
    });
    assert.deepEqual(plan(d, observed, ctx).operations, []);
  });

  it('refuses the whole plan, naming each missing external one and the command that makes it', () => {
    const err = refusal(() => plan(named(), emptyObserved({ elsewhere: { networks: [], volumes: [] } }), ctx));
    assert.equal(err.code, 'E_EXTERNAL_MISSING');
    assert.equal(
      err.message,
      'project shop: external network edge (proxy), volume ext-vol (shared) not found on the engine; bosun never ' +
        'creates an external one: create it first (docker network create edge; docker volume create ext-vol) or ' +
        'drop external: true. Nothing was changed',
    );
  });

  it('bosun down removes the named network it made, never an external one, and keeps volumes', () => {
    const d = named();
    const down = { ...d, services: [], networks: [], volumes: [] };
    const observed = emptyObserved({
      networks: ['shared-front'],
      volumes: ['keep-data'],
      elsewhere: { networks: ['edge'], volumes: ['ext-vol'] },
      users: {},
    });
    const p = plan(down, observed, ctx, { volumes: false });
    assert.deepEqual(
      p.operations.map((o) => `${o.kind} ${(o as { name: string }).name}`),
      ['remove-network shared-front'],
    );
    assert.ok(
      p.notes.includes('volume keep-data kept (it holds data): bosun down --volumes removes it'),
      p.notes.join('\n'),
    );
  });
});

describe('docker plan: a fixed container name and a platform', () => {
  const fixed = () =>
    desired([service('web', { options: { containerName: 'shop-frontend', platform: 'linux/amd64' } })]);

  it('creates the container by exactly that name and shows name and platform in the dry-run', () => {
    const p = plan(fixed(), emptyObserved({ networks: ['shop_default'] }), ctx);
    const create = p.operations.find((o) => o.kind === 'create-container') as Extract<
      ContainerOperation,
      { kind: 'create-container' }
    >;
    assert.equal(create.blueprint.name, 'shop-frontend');
    assert.match(planString(p), /\+ create container shop-frontend \(app:1, linux\/amd64\)/);
  });

  it('is part of the identity: another platform replaces the container, the same one plans nothing', () => {
    const d = fixed();
    const observed = emptyObserved({
      networks: ['shop_default'],
      containers: [running(d, 'web', 1, { name: 'shop-frontend' })],
    });
    assert.deepEqual(plan(d, observed, ctx).operations, []);
    const other = fixed();
    other.services[0].options = { containerName: 'shop-frontend', platform: 'linux/arm64' };
    const kinds = plan(other, observed, ctx).operations.map((o) => o.kind);
    assert.deepEqual(kinds, ['replace-container']);
  });
});
