import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import { dependencyLevels } from '../../src/plan/order.ts';
import { planString, renderText } from '../../src/render/render.ts';
import type { KeyOperation } from '../../src/model/plan.ts';
import type { ContainerOperation } from '../../src/backends/docker/model.ts';
import { converged, desired, emptyObserved, running, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'a'.repeat(40) };
const brief = (ops: (ContainerOperation | KeyOperation)[]) =>
  ops.map(
    (o) =>
      `${o.kind} ${'replica' in o ? `${o.service}/${o.replica}` : 'key' in o ? o.key : 'name' in o ? o.name : o.service}`,
  );

describe('plan', () => {
  it('creates the network, then every replica in dependsOn order, from nothing', () => {
    const d = desired([service('web', { dependsOn: ['api'], replicas: 2 }), service('api'), service('db')]);
    const p = plan(d, emptyObserved(), ctx);
    assert.deepEqual(brief(p.operations), [
      'create-network shop_default',
      'create-container api/1',
      'create-container db/1',
      'create-container web/1',
      'create-container web/2',
    ]);
    assert.deepEqual(p.summary, {
      create: 4,
      replace: 0,
      remove: 0,
      keysPut: 0,
      keysDeleted: 0,
      networks: 1,
      volumes: 0,
    });
  });

  it('has nothing to do when everything matches', () => {
    const d = desired([service('web', { replicas: 3 }), service('db')]);
    assert.deepEqual(plan(d, converged(d), ctx).operations, []);
  });

  it('replaces only the service whose image changed, with the field change as cause', () => {
    const before = desired([service('web', { replicas: 2 }), service('db')]);
    const after = desired([service('web', { replicas: 2, image: 'app:2' }), service('db')]);
    const p = plan(after, converged(before), ctx);
    assert.deepEqual(brief(p.operations), ['replace-container web/1', 'replace-container web/2']);
    assert.equal(p.operations[0].cause, 'image app:1 → app:2');
  });

  it('scales up by adding only the missing replicas, and down by removing the highest', () => {
    const two = desired([service('web', { replicas: 2 })]);
    const up = plan(desired([service('web', { replicas: 3 })]), converged(two), ctx);
    assert.deepEqual(brief(up.operations), ['create-container web/3']);
    const three = desired([service('web', { replicas: 3 })]);
    const down = plan(desired([service('web', { replicas: 1 })]), converged(three), ctx);
    assert.deepEqual(brief(down.operations), ['remove-container web/3', 'remove-container web/2']);
    assert.equal(down.operations[0].cause, 'scale 3 → 1');
  });

  it('prunes services removed from the repo, unless prune is off', () => {
    const before = desired([service('web'), service('old')]);
    const after = desired([service('web')]);
    const p = plan(after, converged(before), ctx);
    assert.deepEqual(brief(p.operations), ['remove-container old/1']);
    assert.equal(p.operations[0].cause, 'removed from repo');
    after.project.prune = false;
    const kept = plan(after, converged(before), ctx);
    assert.deepEqual(kept.operations, []);
    assert.match(kept.notes[0], /prune is off/);
  });

  it('replaces an exited container (drift) and removes a duplicate replica', () => {
    const d = desired([service('web')]);
    const obs = converged(d);
    obs.containers[0] = running(d, 'web', 1, { state: 'exited', exitCode: 137 });
    assert.equal(plan(d, obs, ctx).operations[0].cause, 'drift: container exited (code 137)');
    const dup = converged(d);
    dup.containers.push(running(d, 'web', 1, { id: 'zz-dup', state: 'exited' }));
    assert.deepEqual(brief(plan(d, dup, ctx).operations), ['remove-container web/1']);
  });

  it('puts changed Config keys, replaces only services reading them, deletes only owned keys', () => {
    const cfg = (v: string) => ({ name: 'web', prefix: '/shop/web/', data: { LEVEL: v }, secret: false });
    const before = desired(
      [service('web', { envFrom: [{ config: 'web', prefix: '' }] }), service('db')],
      [cfg('info')],
    );
    const after = desired(before.services, [cfg('debug')]);
    const obs = converged(before);
    obs.keys = {
      '/shop/web/LEVEL': { key: '/shop/web/LEVEL', value: 'info', version: '5' },
      '/shop/web/OLD': { key: '/shop/web/OLD', value: 'x', version: '6' },
      '/shop/web/FOREIGN': { key: '/shop/web/FOREIGN', value: 'y', version: '7' },
    };
    obs.ownedKeys = ['/shop/web/LEVEL', '/shop/web/OLD'];
    const p = plan(after, obs, ctx);
    assert.deepEqual(brief(p.operations), [
      'put-key /shop/web/LEVEL',
      'replace-container web/1',
      'delete-key /shop/web/OLD',
    ]);
    assert.equal(p.operations[1].cause, 'env.LEVEL info → debug');
    assert.deepEqual(p.notes, [
      'key /shop/web/FOREIGN is under a Config prefix but was not written by bosun: left alone',
    ]);
  });

  it('changes its hash when the observed world changes, even with the same operations', () => {
    const d = desired([service('web')]);
    const a = plan(d, converged(d), ctx);
    const other = converged(d);
    other.containers[0].id = 'another-id';
    assert.notEqual(plan(d, other, ctx).hash, a.hash);
    assert.equal(plan(d, converged(d), ctx).hash, a.hash);
  });
});

describe('dependencyLevels', () => {
  it('puts independent services in one level', () => {
    const levels = dependencyLevels([
      service('c', { dependsOn: ['b'] }),
      service('b', { dependsOn: ['a'] }),
      service('a'),
      service('x'),
    ]);
    assert.deepEqual(
      levels.map((l) => l.map((s) => s.name)),
      [['a', 'x'], ['b'], ['c']],
    );
  });
});

describe('renderText', () => {
  it('prints a stable plan with causes and field changes, masking secrets', () => {
    const files = [{ config: 's', key: 'TOKEN', target: '/run/secrets/token', mode: 0o400 }];
    const before = desired(
      [service('web', { files })],
      [{ name: 's', prefix: '/s/', data: { TOKEN: 'old' }, secret: true }],
    );
    const after = desired(
      [service('web', { image: 'app:2', files })],
      [{ name: 's', prefix: '/s/', data: { TOKEN: 'new' }, secret: true }],
    );
    const obs = converged(before);
    obs.keys = { '/s/TOKEN': { key: '/s/TOKEN', value: 'old', version: '1' } };
    obs.ownedKeys = ['/s/TOKEN'];
    const text = renderText(plan(after, obs, ctx), { color: false });
    assert.equal(
      text,
      [
        'Plan for shop at aaaaaaaaaaaa (main of https://git.example/shop.git): 0 to create, 1 to replace, 0 to remove, 1 key(s) to put, 0 key(s) to delete',
        '',
        '  ~ put key /s/TOKEN = (secret) — value differs from repo',
        '  ~ replace container shop-web-1 (app:2) — files./run/secrets/token changed, image app:1 → app:2',
        '      files./run/secrets/token: (secret) → (secret)',
        '      image: app:1 → app:2',
        '',
      ].join('\n'),
    );
    assert.doesNotMatch(text, /old|new/);
  });
});

describe('plan: rollout order', () => {
  const startFirst = { ...service('x').update, order: 'start-first' as const };
  it('start-first starts successors beside the old containers and retires them after every level', () => {
    const before = desired([
      service('web', { replicas: 2, update: startFirst, dependsOn: ['api'] }),
      service('api', { update: startFirst }),
    ]);
    const after = desired(before.services.map((s) => ({ ...s, image: 'app:2' })));
    const p = plan(after, converged(before), ctx);
    const steps = p.operations.map(
      (o) => `${o.phase} ${o.kind} ${'blueprint' in o ? o.blueprint.name : 'name' in o ? o.name : ''}`,
    );
    const hash8 = (p.operations[0] as { blueprint: { labels: Record<string, string> } }).blueprint.labels[
      'bosun.spec-hash'
    ].slice(0, 8);
    assert.equal(steps[0], `0 replace-container shop-api-1-next-${hash8}`);
    assert.deepEqual(
      steps.slice(3).map((s) => s.replace(/-next-[0-9a-f]{8}/, '-next')),
      ['2 retire-container shop-api-1', '2 retire-container shop-web-1', '2 retire-container shop-web-2'],
    );
  });

  it('falls back to stop-first for a stopped container or a fixed host port', () => {
    const exited = desired([service('web', { update: startFirst })]);
    const obs = converged(exited);
    obs.containers[0].state = 'exited';
    assert.deepEqual(
      plan(exited, obs, ctx).operations.map((o) => (o.kind === 'replace-container' ? o.order : o.kind)),
      ['stop-first'],
    );
    const ported = desired([
      service('web', { update: startFirst, ports: [{ container: 80, host: 8080, protocol: 'tcp' }] }),
    ]);
    const changed = desired([{ ...ported.services[0], image: 'app:2' }]);
    assert.deepEqual(
      plan(changed, converged(ported), ctx).operations.map((o) => (o.kind === 'replace-container' ? o.order : o.kind)),
      ['stop-first'],
    );
  });
});

describe('plan: recovery from an interrupted apply', () => {
  it('removes duplicates before creating, and gives a kept container its replica name back', () => {
    const d = desired([service('web', { replicas: 2 })]);
    const obs = converged(d);
    // replica 1 survives only as an interrupted start-first successor; replica 2 has a stale twin
    obs.containers[0] = running(d, 'web', 1, { id: 'new-1', name: 'shop-web-1-next-abcdef12' });
    obs.containers.push(running(d, 'web', 2, { id: 'old-2', specHash: 'stale', state: 'exited' }));
    const p = plan(d, obs, ctx);
    assert.deepEqual(
      p.operations.map((o) => `${o.phase} ${o.kind} ${o.cause}`),
      ['0 remove-container duplicate replica', '1 rename-container left under a temporary name'],
    );
    const rename = p.operations[1];
    assert.ok(rename.kind === 'rename-container' && rename.name === 'shop-web-1' && rename.containerId === 'new-1');
  });
});

/** Golden style: the canonical text form is the expected value (as docker compose's planner tests do). */
describe('plan: canonical text (planString)', () => {
  const head = (summary: string) => `Plan for shop at aaaaaaaaaaaa (main of https://git.example/shop.git): ${summary}`;
  const golden = (...lines: string[]) => [...lines, ''].join('\n');

  it('from nothing: the network, then every replica by dependsOn level', () => {
    const d = desired([service('web', { dependsOn: ['api'], replicas: 2 }), service('api'), service('db')]);
    assert.equal(
      planString(plan(d, emptyObserved(), ctx)),
      golden(
        head(
          '4 to create, 0 to replace, 0 to remove, 0 key(s) to put, 0 key(s) to delete, 1 network(s) and 0 volume(s) to create',
        ),
        '',
        '  + create network shop_default — missing',
        '  + create container shop-api-1 (app:1) — missing',
        '  + create container shop-db-1 (app:1) — missing',
        '  + create container shop-web-1 (app:1) — missing',
        '  + create container shop-web-2 (app:1) — missing',
      ),
    );
  });

  it('a change with a scale-down and a pruned service', () => {
    const before = desired([service('web', { replicas: 3 }), service('old')]);
    const p = plan(desired([service('web', { replicas: 1, image: 'app:2' })]), converged(before), ctx);
    assert.equal(
      planString(p),
      golden(
        head('0 to create, 1 to replace, 3 to remove, 0 key(s) to put, 0 key(s) to delete'),
        '',
        '  ~ replace container shop-web-1 (app:2) — image app:1 → app:2',
        '      image: app:1 → app:2',
        '  - remove container shop-web-3 — scale 3 → 1',
        '  - remove container shop-web-2 — scale 3 → 1',
        '  - remove container shop-old-1 — removed from repo',
      ),
    );
  });

  it('start-first: successors under temporary names, retirements last', () => {
    const sf = { ...service('x').update, order: 'start-first' as const };
    const before = desired([
      service('web', { replicas: 2, update: sf, dependsOn: ['api'] }),
      service('api', { update: sf }),
    ]);
    const after = desired(before.services.map((s) => ({ ...s, image: 'app:2' })));
    assert.equal(
      planString(plan(after, converged(before), ctx)),
      golden(
        head('0 to create, 3 to replace, 0 to remove, 0 key(s) to put, 0 key(s) to delete'),
        '',
        '  ~ replace container shop-api-1-next-11c408d0 (app:2) — image app:1 → app:2',
        '      image: app:1 → app:2',
        '  ~ replace container shop-web-1-next-b99a5e4e (app:2) — image app:1 → app:2',
        '      image: app:1 → app:2',
        '  ~ replace container shop-web-2-next-b99a5e4e (app:2) — image app:1 → app:2',
        '      image: app:1 → app:2',
        '  - retire container shop-api-1 — replaced by shop-api-1-next-11c408d0',
        '  - retire container shop-web-1 — replaced by shop-web-1-next-b99a5e4e',
        '  - retire container shop-web-2 — replaced by shop-web-2-next-b99a5e4e',
      ),
    );
  });
});

describe('plan: operations carry what the executor needs', () => {
  it('a replacement carries its batch (parallelism, delay) and its start gate (ready timeout, monitor)', () => {
    const update = { ...service('x').update, parallelism: 2, delayMs: 500, monitorMs: 3000 };
    const healthcheck = { cmd: ['true'], intervalMs: 10_000, timeoutMs: 5_000, retries: 3, startPeriodMs: 20_000 };
    const before = desired([service('web', { replicas: 2, update, healthcheck })]);
    const after = desired([{ ...before.services[0]!, image: 'app:2' }]);
    const [op] = plan(after, converged(before), ctx).operations;
    assert.deepEqual(op!.batch, { key: 'web', parallelism: 2, delayMs: 500 });
    // start period + (interval + timeout) × (retries + 2), since it is over the 30 s floor
    assert.deepEqual(op!.start, { readyTimeoutMs: 95_000, monitorMs: 3000 });
  });

  it('a creation is gated but not batched; a duplicate is flagged, not named by its cause', () => {
    const d = desired([service('web')]);
    const [create] = plan(d, emptyObserved(), ctx).operations.filter((o) => o.kind === 'create-container');
    assert.deepEqual(create!.start, { readyTimeoutMs: 30_000, monitorMs: 0 });
    assert.equal(create!.batch, undefined);
    const dup = converged(d);
    dup.containers.push(running(d, 'web', 1, { id: 'zz-dup', state: 'exited' }));
    const [removal] = plan(d, dup, ctx).operations;
    assert.ok(removal!.kind === 'remove-container' && removal!.duplicate === true);
  });
});
