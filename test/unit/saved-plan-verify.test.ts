import { strict as assert } from 'node:assert';
import { firstDifference } from '../../src/session/saved-plan-verify.ts';

describe('saved plans: where a file differs from git', () => {
  const git = {
    project: { name: 'p' },
    services: [{ name: 'web', image: 'a:1', volumes: [], env: { A: '1' } }],
    optional: undefined,
  };

  it('finds no difference in the same state, whatever the key order or undefined members', () => {
    const file = JSON.parse(JSON.stringify({ services: git.services, project: git.project }));
    assert.equal(firstDifference(git, file), undefined);
  });

  it('names the first differing path', () => {
    const edit = (f: (g: typeof git) => void) => {
      const copy = structuredClone(git);
      f(copy);
      return firstDifference(git, copy);
    };
    assert.equal(
      edit((g) => (g.services[0].image = 'b:1')),
      'services[0].image',
    );
    assert.equal(
      edit((g) => (g.services[0].volumes as unknown[]).push({ hostPath: '/etc' })),
      'services[0].volumes (length 0 in git, 1 in the file)',
    );
    assert.equal(
      edit((g) => ((g.services[0].env as Record<string, string>).B = '2')),
      'services[0].env.B',
    );
    assert.equal(firstDifference(git, null), '(the whole desired state)');
  });
});
