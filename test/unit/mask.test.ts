import { strict as assert } from 'node:assert';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import { maskSecrets, SECRET } from '../../src/model/mask.ts';
import { renderJson, renderMarkdown, renderText } from '../../src/render/render.ts';
import { describe as describeOp } from '../../src/render/describe.ts';
import { converged, desired, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'a'.repeat(40) };
const PLAIN = 'leak-plain-value';
const files = [{ config: 's', key: 'TOKEN', target: '/run/secrets/token', mode: 0o400 }];
const state = (token: string) =>
  desired(
    [service('web', { files, envFrom: [{ config: 'p', prefix: '' }] })],
    [
      { name: 's', prefix: '/s/', data: { TOKEN: token }, secret: true },
      { name: 'p', prefix: '/p/', data: { LEVEL: PLAIN }, secret: false },
    ],
  );

/** A plan that holds the secret everywhere it can: a key put over an old value, a replacement, a creation. */
function planWith(oldToken: string, newToken: string) {
  const obs = converged(state(oldToken));
  obs.keys = { '/s/TOKEN': { key: '/s/TOKEN', value: oldToken, version: '1' } };
  obs.ownedKeys = ['/s/TOKEN', '/s/GONE'];
  obs.keys['/s/GONE'] = { key: '/s/GONE', value: 'leak-deleted-value', version: '2' };
  return plan(state(newToken), obs, ctx);
}

describe('maskSecrets', () => {
  it('leaves no secret in a plan, its renderings or its progress lines, and keeps what is not secret', () => {
    const p = planWith('leak-old-token', 'leak-new-token');
    assert.match(JSON.stringify(p), /leak-new-token/, 'the plan itself carries the value (the executor needs it)');
    const shown = [
      JSON.stringify(maskSecrets(p)),
      renderJson(p),
      renderText(p, { color: false }),
      renderMarkdown(p),
      ...p.operations.map((op) => describeOp(p.backend, op)),
    ].join('\n');
    assert.doesNotMatch(shown, /leak-(old|new)-token|leak-deleted-value/);
    assert.match(JSON.stringify(maskSecrets(p)), new RegExp(PLAIN), 'a non-secret Config stays readable');
    const masked = maskSecrets(p);
    assert.deepEqual(masked.desired.configs.find((c) => c.name === 's')?.data, { TOKEN: SECRET });
    const replace = masked.operations.find((op) => op.kind === 'replace-container') as unknown as {
      blueprint: { files: { content: string; secret?: true }[] };
    };
    assert.deepEqual(replace.blueprint.files, [
      { path: '/run/secrets/token', content: SECRET, mode: 0o400, secret: true },
    ]);
  });

  it('changes the plan hash when only a secret changes (it is hashed as a digest)', () => {
    const a = planWith('leak-old-token', 'leak-new-token');
    const b = planWith('leak-old-token', 'leak-other-token');
    assert.notEqual(a.hash, b.hash);
    assert.equal(a.hash, planWith('leak-old-token', 'leak-new-token').hash, 'stable for the same inputs');
  });

  it('masks a secret variable still recorded by a container made before secrets went file-only', () => {
    const d = state('leak-new-token');
    const obs = converged(d);
    const old = obs.containers[0]!;
    // as an older bosun labelled it: a secret Config's key in the environment, under some prefix
    old.spec = { ...old.spec!, env: { ...old.spec!.env, APP_TOKEN: 'leak-old-env' } };
    old.specHash = 'older';
    const p = plan(d, obs, ctx);
    const text = renderText(p, { color: false });
    assert.match(
      text,
      /~ replace container shop-web-1 \(app:1\) — env\.APP_TOKEN changed\n {6}env\.APP_TOKEN: \(secret\) → \(secret\)/,
    );
    assert.doesNotMatch(text + renderJson(p) + renderMarkdown(p), /leak-old-env/);
  });

  it('never changes what it is given', () => {
    const p = planWith('leak-old-token', 'leak-new-token');
    const before = JSON.stringify(p);
    maskSecrets(p);
    assert.equal(JSON.stringify(p), before);
  });
});
