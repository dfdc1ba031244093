import { strict as assert } from 'node:assert';
import { formatIssue, ManifestError } from '../../src/errors.ts';
import { defaultPolicy } from '../../src/policy/defaults.ts';
import { mergePolicy, parsePolicy } from '../../src/policy/load.ts';
import { takeoverByPolicy } from '../../src/policy/takeover.ts';
import { decideBinding } from '../../src/release/binding.ts';

const A = { repo: 'https://git.example/team/a.git', path: '' };
const B = { repo: 'https://git.example/team/b.git', path: 'stacks/shop' };

function policyOf(text: string) {
  return mergePolicy(defaultPolicy(), parsePolicy('policy.yaml', text));
}

describe('host policy: project takeover and force-push rules', () => {
  it('defaults: nothing handed over, force-pushes applied', () => {
    const p = defaultPolicy();
    assert.deepEqual(p.policy.git, { refuseForcePush: false });
    assert.equal(takeoverByPolicy(p), undefined);
    assert.equal(takeoverByPolicy(undefined), undefined);
  });

  it('git.refuseForcePush and projects[].takeOver are read and named as set by the file', () => {
    const p = policyOf(
      'git: { refuseForcePush: true }\nprojects:\n  - { repo: "https://git.example/team/*.git", names: [shop], takeOver: true }\n',
    );
    assert.deepEqual(p.policy.git, { refuseForcePush: true });
    assert.deepEqual(p.fromFile, ['projects', 'git.refuseForcePush']);
    assert.equal(p.policy.projects?.[0]?.takeOver, true);
  });

  it('a takeOver entry hands over only its names, to its repo and path', () => {
    const allow = takeoverByPolicy(
      policyOf(
        'projects:\n  - { repo: "https://git.example/team/b.git", path: "stacks/*", names: ["shop*"], takeOver: true }\n  - { repo: "**", names: ["**"] }\n',
      ),
    );
    assert.ok(allow);
    assert.equal(allow('shop', A, B), true);
    assert.equal(allow('shop-eu', A, B), true);
    assert.equal(allow('blog', A, B), false, 'a name it does not list');
    assert.equal(allow('shop', B, { ...B, path: 'other/shop' }), false, 'another path');
    assert.equal(allow('shop', B, A), false, 'another repo, allowed only to manage');
  });

  it('an entry without takeOver (or with false) hands nothing over', () => {
    const p = policyOf(
      'projects:\n  - { repo: "**", names: ["**"], takeOver: false }\n  - { repo: "**", names: [x] }\n',
    );
    assert.equal(takeoverByPolicy(p), undefined);
    // filled in, as policy check shows it
    assert.deepEqual(
      p.policy.projects?.map((r) => r.takeOver),
      [false, false],
    );
  });

  it('the binding decision records a policy handover as via policy, and refuses without it', () => {
    const allowTakeover = takeoverByPolicy(
      policyOf('projects:\n  - { repo: "https://git.example/team/b.git", names: [shop], takeOver: true }\n'),
    );
    const input = { project: 'shop', bound: A, claimant: B, hasReleases: true };
    assert.deepEqual(decideBinding({ ...input, allowTakeover }), {
      action: 'bind',
      reason: 'takeover',
      from: A,
      via: 'policy',
    });
    assert.deepEqual(decideBinding({ ...input, allowTakeover, takeOver: 'shop' }).action, 'bind');
    assert.equal((decideBinding({ ...input, allowTakeover, takeOver: 'shop' }) as { via: string }).via, 'flag');
    assert.throws(
      () => decideBinding({ ...input, claimant: { ...B, repo: 'https://git.example/team/c.git' }, allowTakeover }),
      (err: unknown) => (err as { code?: string }).code === 'E_PROJECT_BOUND',
    );
  });

  it('wrong types and unknown keys are refused at their place', () => {
    try {
      parsePolicy(
        'policy.yaml',
        'git:\n  refuseForcePush: yes please\n  force: true\nprojects:\n  - { repo: a, names: [b], takeOver: 1 }\n',
      );
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok(err instanceof ManifestError, String(err));
      // in schema order, not file order
      assert.deepEqual(err.issues.map(formatIssue).sort(), [
        'policy.yaml:2:20 git.refuseForcePush: must be boolean',
        'policy.yaml:3:3 git.force: is not a policy key',
        'policy.yaml:5:38 projects[0].takeOver: must be boolean',
      ]);
    }
  });
});
