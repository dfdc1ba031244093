import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import { BosunError } from '../../src/errors.ts';
import type { ConfigSpec } from '../../src/model/desired.ts';
import { refuseEmpty } from '../../src/plan/empty.ts';
import { planString, renderJson } from '../../src/render/render.ts';
import { converged, desired, emptyObserved, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'b'.repeat(40) };
const cfg = (over: Partial<ConfigSpec> = {}): ConfigSpec => ({
  name: 'web',
  prefix: '/team/web/',
  data: { LEVEL: 'debug', NEW: 'n' },
  secret: false,
  ...over,
});
/** LEVEL exists, written by someone else (another team, or bosun for another project). */
const foreignLevel = () =>
  emptyObserved({
    networks: ['shop_default'],
    keys: { '/team/web/LEVEL': { key: '/team/web/LEVEL', value: 'their-value', version: '9' } },
  });

function thrown(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof BosunError, String(e));
    return e;
  }
  assert.fail('expected a BosunError');
}

describe('plan: keys bosun does not own', () => {
  it('refuses to overwrite a foreign key, naming the key and where the Config is', () => {
    const d = desired([], [cfg()]);
    d.locations['Config/web'] = { file: 'config/web.yaml', line: 3, col: 1 };
    const err = thrown(() => plan(d, foreignLevel(), ctx));
    assert.equal(err.code, 'E_KEY_FOREIGN');
    assert.equal(err.disposition, 'stalled');
    assert.equal(
      err.message,
      '1 key not owned by the project:\n' +
        'config/web.yaml:3:1 Config web: key /team/web/LEVEL exists and was not written by bosun for project shop: not overwritten (set spec.adopt: true on this Config to take it over)',
    );
    assert.doesNotMatch(err.message, /their-value/);
  });

  it('leaves a foreign key alone when it already holds the value the repo wants', () => {
    const d = desired([], [cfg({ data: { LEVEL: 'their-value' } })]);
    assert.deepEqual(plan(d, foreignLevel(), ctx).operations, []);
  });

  it('with adopt: true takes the key over, showing that it existed but never its value', () => {
    const d = desired([], [cfg({ adopt: true })]);
    const p = plan(d, foreignLevel(), ctx);
    const text = planString(p);
    assert.equal(
      text,
      [
        'Plan for shop at bbbbbbbbbbbb (main of https://git.example/shop.git): 0 to create, 0 to replace, 0 to remove, 2 key(s) to put, 0 key(s) to delete',
        '',
        '  ~ adopt key /team/web/LEVEL = "debug" (was (not owned)) — existed, not written by bosun: taken over (Config web has adopt: true)',
        '  + put key /team/web/NEW = "n" — missing',
        '',
      ].join('\n'),
    );
    const json = renderJson(p);
    assert.doesNotMatch(json, /their-value/);
    const ops = JSON.parse(json).operations;
    assert.deepEqual(ops[0], {
      kind: 'put-key',
      action: 'adopt',
      target: 'key /team/web/LEVEL = "debug" (was (not owned))',
      cause: 'existed, not written by bosun: taken over (Config web has adopt: true)',
      key: '/team/web/LEVEL',
      value: 'debug',
      previous: '(not owned)',
    });
    assert.doesNotMatch(JSON.stringify(p), /their-value/);
  });

  it('adopts a foreign key holding the same value too, so it is owned from then on', () => {
    const d = desired([], [cfg({ adopt: true, data: { LEVEL: 'their-value' } })]);
    const ops = plan(d, foreignLevel(), ctx).operations;
    assert.deepEqual(
      ops.map((o) => `${o.kind} ${'adopt' in o ? 'adopt' : ''} ${o.cause}`),
      ['put-key adopt existed, not written by bosun: taken over (Config web has adopt: true)'],
    );
  });

  it('an adopted (now owned) key is deleted once the repo drops it; a still-foreign one never', () => {
    const d = desired([], [cfg({ data: { NEW: 'n' } })]);
    const obs = foreignLevel();
    obs.keys['/team/web/NEW'] = { key: '/team/web/NEW', value: 'n', version: '3' };
    obs.ownedKeys = ['/team/web/NEW'];
    assert.deepEqual(plan(d, obs, ctx).operations, []);
    obs.ownedKeys = ['/team/web/LEVEL', '/team/web/NEW'];
    assert.deepEqual(
      plan(d, obs, ctx).operations.map((o) => `${o.kind} ${'key' in o ? o.key : ''}`),
      ['delete-key /team/web/LEVEL'],
    );
  });
});

describe('plan: empty means empty on purpose', () => {
  it('refuses a revision with no services while containers of the project run', () => {
    const before = desired([service('web'), service('db')]);
    const after = desired([]);
    const p = plan(after, converged(before), ctx);
    const err = thrown(() => refuseEmpty(after, p, []));
    assert.equal(err.code, 'E_EMPTY_REFUSED');
    assert.equal(err.disposition, 'stalled');
    assert.equal(
      err.message,
      'revision bbbbbbbbbbbb of project shop declares no services, but the project has 2 services (db, web): refused, nothing applied. A manifest folder that vanished looks like this; if removing every service is meant, set spec.allowEmpty: true on the Project (or run bosun down)',
    );
  });

  it('refuses it when only the release in force has services (prune off: nothing planned)', () => {
    const after = desired([]);
    after.project.prune = false;
    const p = plan(after, emptyObserved(), ctx);
    assert.equal(
      thrown(() => refuseEmpty(after, p, ['api'])).message,
      'revision bbbbbbbbbbbb of project shop declares no services, but the project has 1 service (api): refused, nothing applied. A manifest folder that vanished looks like this; if removing every service is meant, set spec.allowEmpty: true on the Project (or run bosun down)',
    );
  });

  it('allows it with allowEmpty: true, and never stands in the way of services or of an empty project', () => {
    const before = desired([service('web')]);
    const after = desired([]);
    after.project.allowEmpty = true;
    const p = plan(after, converged(before), ctx);
    assert.doesNotThrow(() => refuseEmpty(after, p, ['web']));
    assert.deepEqual(
      p.operations.map((o) => o.kind),
      ['remove-container'],
    );
    const fresh = desired([]);
    assert.doesNotThrow(() => refuseEmpty(fresh, plan(fresh, emptyObserved(), ctx), []));
    const one = desired([service('web')]);
    assert.doesNotThrow(() => refuseEmpty(one, plan(one, converged(before), ctx), ['web', 'db']));
  });
});
