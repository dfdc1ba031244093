import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import type { BosunError } from '../../src/errors.ts';
import { planString } from '../../src/render/render.ts';
import { downState } from '../../src/session/down.ts';
import { converged, desired, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'a'.repeat(40) };

/** A stack as bosun left it: two services, its default network and a named volume. */
function upStack() {
  const d = desired([service('web', { replicas: 2, dependsOn: ['db'] }), service('db')]);
  const observed = { ...converged(d), networks: ['shop_default'], volumes: ['shop_data'] };
  return { d, observed };
}

describe('plan: bosun down (a teardown against an empty desired state)', () => {
  it('removes every container, then the networks; keeps the volume unless asked', () => {
    const { d, observed } = upStack();
    const p = plan(downState('shop', d, false), { ...observed, users: {} }, ctx, { volumes: false });
    assert.equal(
      planString(p),
      [
        'Plan for shop at aaaaaaaaaaaa (main of https://git.example/shop.git): 0 to create, 0 to replace, 3 to remove, 0 key(s) to put, 0 key(s) to delete, 1 network(s) and 0 volume(s) to remove',
        '',
        '  - remove container shop-web-1 — bosun down',
        '  - remove container shop-web-2 — bosun down',
        '  - remove container shop-db-1 — bosun down',
        '  - remove network shop_default — bosun down',
        '',
        'note: volume shop_data kept (it holds data): bosun down --volumes removes it',
        '',
      ].join('\n'),
    );
    const phase = (target: string) => p.operations.find((o) => 'name' in o && o.name === target)!.phase;
    assert.ok(phase('shop-web-1') < phase('shop-db-1'), 'dependents go first, as docker compose down does');
    assert.equal(phase('shop-web-1'), phase('shop-web-2'));
    assert.ok(phase('shop_default') > phase('shop-db-1'), 'networks go last');
    const all = plan(downState('shop', d, true), { ...observed, users: {} }, ctx, { volumes: true });
    assert.deepEqual(all.summary.volumesRemoved, 1);
    assert.match(planString(all), /- remove volume shop_data — bosun down --volumes/);
  });

  it('refuses the whole plan when a foreign container uses a network or volume it would remove', () => {
    const { d, observed } = upStack();
    const users = { shop_default: ['someone-else'], shop_data: ['backup-job', 'reader'] };
    const refuse = (volumes: boolean) => {
      try {
        plan(downState('shop', d, false), { ...observed, users }, ctx, { volumes });
      } catch (err) {
        return err as BosunError;
      }
      return assert.fail('expected a refusal');
    };
    const err = refuse(false);
    assert.equal(err.code, 'E_IN_USE');
    assert.equal(
      err.message,
      "bosun down refused, nothing was removed: network shop_default is used by someone-else (not bosun's); remove or disconnect it first",
    );
    assert.match(
      refuse(true).message,
      /; volume shop_data is used by backup-job, reader \(not bosun's\); .* them first$/,
    );
  });

  it('plans no network removal outside a teardown: a reconcile never removes networks or volumes', () => {
    const { d, observed } = upStack();
    const p = plan(downState('shop', d, false), observed, ctx);
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['remove-container', 'remove-container', 'remove-container'],
    );
    assert.equal(p.operations[0].cause, 'removed from repo');
  });
});
