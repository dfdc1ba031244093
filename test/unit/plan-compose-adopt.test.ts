import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import type { BosunError } from '../../src/errors.ts';
import { planString } from '../../src/render/render.ts';
import { desired, emptyObserved, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'c'.repeat(40) };
/** `docker-compose up -d` ran the stack: its containers hold the project, its network and volume stay */
const composeRan = () =>
  emptyObserved({
    networks: ['shop_default'],
    volumes: ['shop_data'],
    composeHeld: [
      { id: 'c-db', name: 'shop_db_1', service: 'db', replica: 1 },
      { id: 'c-web', name: 'shop_web_1', service: 'web', replica: 1 },
    ],
  });
const stack = () => {
  const d = desired([service('db', { image: 'db:1' }), service('web', { dependsOn: ['db'] })]);
  d.volumes = [{ name: 'data', driver: 'local', labels: {} }];
  return d;
};

describe('plan: a project docker compose runs', () => {
  it('is refused without --adopt-compose, naming the hand-over command and the flag', () => {
    const err = (() => {
      try {
        plan(stack(), composeRan(), ctx);
      } catch (e) {
        return e as BosunError;
      }
      assert.fail('expected a refusal');
    })();
    assert.equal(err.code, 'E_COMPOSE_OWNED');
    assert.equal(
      err.message,
      'project shop is running under docker compose (shop_db_1, shop_web_1): hand it over with "docker compose -p shop down" ' +
        '(or "docker-compose -p shop down"; without -v, so the volumes and their data stay), then run bosun again, ' +
        'or let bosun take its containers over with --adopt-compose',
    );
  });

  it("with --adopt-compose removes compose's containers before any of bosun's starts, using its network and volume", () => {
    const p = plan(stack(), composeRan(), ctx, undefined, { compose: true });
    const lines = planString(p).split('\n');
    const removes = lines.filter((l) => /remove .*taken over \(--adopt-compose\)/.test(l));
    assert.equal(removes.length, 2, lines.join('\n'));
    const kinds = p.operations.map((o) => `${o.phase} ${o.kind}`);
    assert.deepEqual(kinds, ['0 remove-container', '0 remove-container', '1 create-container', '2 create-container']);
    assert.equal(p.summary.remove, 2);
    assert.ok(p.notes.includes('2 container(s) of docker compose taken over (--adopt-compose)'), p.notes.join('\n'));
  });

  it('a teardown neither refuses nor takes them', () => {
    const p = plan(stack(), { ...composeRan(), users: {} }, ctx, { volumes: false }, { compose: true });
    const taken = p.operations.filter((o) => o.kind === 'remove-container');
    assert.deepEqual(taken, [], "compose's containers are not bosun down's to remove");
  });
});
