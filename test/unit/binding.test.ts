import { testSealer } from '../helpers/state-key.ts';
import { strict as assert } from 'node:assert';
import { BosunError } from '../../src/errors.ts';
import { decideBinding, sameSource, sourceOf, type ProjectSource } from '../../src/release/binding.ts';
import { ReleaseStore } from '../../src/release/store.ts';
import { bindingKey, claimOf, readBinding, writeClaim } from '../../src/release/binding-record.ts';
import { MemoryKv } from '../fakes/memory-store.ts';

const A: ProjectSource = { repo: 'https://git.example/a.git', path: 'stacks/shop' };
const B: ProjectSource = { repo: 'https://git.example/b.git', path: 'x' };

function refusal(fn: () => unknown): BosunError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BosunError);
    return err;
  }
  assert.fail('expected a refusal');
}

describe('project binding: the decision (pure)', () => {
  it('binds an unbound project: first apply, or an upgrade when releases exist', () => {
    const base = { project: 'shop', bound: undefined, claimant: A };
    assert.deepEqual(decideBinding({ ...base, hasReleases: false }), { action: 'bind', reason: 'first' });
    assert.deepEqual(decideBinding({ ...base, hasReleases: true }), { action: 'bind', reason: 'upgrade' });
  });

  it('keeps a binding to the same source', () => {
    assert.deepEqual(decideBinding({ project: 'shop', bound: A, claimant: { ...A }, hasReleases: true }), {
      action: 'keep',
    });
  });

  it('refuses another source with both named and the flag that hands it over', () => {
    const err = refusal(() => decideBinding({ project: 'shop', bound: A, claimant: B, hasReleases: true }));
    assert.equal(err.code, 'E_PROJECT_BOUND');
    assert.equal(err.disposition, 'stalled');
    assert.equal(
      err.message,
      'project "shop" is bound to https://git.example/a.git path stacks/shop; this source is https://git.example/b.git path x: refusing (hand it over with --take-over-project shop, or takeOver: true in a projects entry of the host policy)',
    );
    assert.deepEqual(err.data, { project: 'shop', bound: A, claimant: B });
  });

  it('refuses a different path of the same repo, naming the root as /', () => {
    const root = { ...A, path: '' };
    const err = refusal(() => decideBinding({ project: 'shop', bound: root, claimant: A, hasReleases: true }));
    assert.match(err.message, /bound to https:\/\/git\.example\/a\.git path \/; this source is .* path stacks\/shop:/);
  });

  it('hands over with --take-over-project NAME, and only when NAME is the project', () => {
    const input = { project: 'shop', bound: A, claimant: B, hasReleases: true };
    assert.deepEqual(decideBinding({ ...input, takeOver: 'shop' }), {
      action: 'bind',
      reason: 'takeover',
      from: A,
      via: 'flag',
    });
    const wrong = refusal(() => decideBinding({ ...input, takeOver: 'shop2' }));
    assert.equal(wrong.code, 'E_USAGE');
    assert.match(wrong.message, /--take-over-project shop2 does not name this project: the repo's project is "shop"/);
    // a wrong name is a mistake even where nothing would be taken over
    assert.equal(refusal(() => decideBinding({ ...input, bound: B, takeOver: 'other' })).code, 'E_USAGE');
    // the flag on a project already ours changes nothing
    assert.deepEqual(decideBinding({ ...input, bound: B, takeOver: 'shop' }), { action: 'keep' });
  });

  it('hands over when a policy allows it, asked with the project and both sources', () => {
    const asked: unknown[] = [];
    const allowTakeover = (...args: unknown[]) => {
      asked.push(args);
      return args[0] === 'shop';
    };
    const input = { bound: A, claimant: B, hasReleases: true, allowTakeover };
    assert.deepEqual(decideBinding({ ...input, project: 'shop' }), {
      action: 'bind',
      reason: 'takeover',
      from: A,
      via: 'policy',
    });
    assert.equal(refusal(() => decideBinding({ ...input, project: 'cart' })).code, 'E_PROJECT_BOUND');
    assert.deepEqual(asked, [
      ['shop', A, B],
      ['cart', A, B],
    ]);
  });
});

describe('project binding: what counts as the same source', () => {
  const same = (a: string, b: string, pa = '', pb = '') => sameSource(sourceOf(a, pa), sourceOf(b, pb));

  it('ignores credentials, a token as the user, a trailing slash, the host case and a default port', () => {
    const plain = 'https://git.example/team/a.git';
    for (const variant of [
      'https://user:s3cret@git.example/team/a.git',
      'https://ghp_token123@git.example/team/a.git',
      'https://oauth2:glpat-xyz@git.example/team/a.git',
      'https://git.example/team/a.git/',
      'https://GIT.Example:443/team/a.git',
      'https://git.example/team/a.git#frag',
    ])
      assert.ok(same(plain, variant), variant);
    assert.equal(sourceOf('https://u:p@git.example/team/a.git', '').repo, plain);
  });

  it('tells apart other repos, schemes, ports and paths', () => {
    const plain = 'https://git.example/team/a.git';
    for (const other of [
      'https://git.example/team/b.git',
      'http://git.example/team/a.git',
      'https://git.example:8443/team/a.git',
      'https://other.example/team/a.git',
    ])
      assert.ok(!same(plain, other), other);
    assert.ok(!same(plain, plain, 'stacks/a', 'stacks/b'));
  });

  it('normalises the path: ./, leading and trailing slashes, root', () => {
    assert.equal(sourceOf('https://h/r.git', './stacks/shop/').path, 'stacks/shop');
    assert.equal(sourceOf('https://h/r.git', '/stacks//shop').path, 'stacks/shop');
    assert.equal(sourceOf('https://h/r.git', '.').path, '');
    assert.equal(sourceOf('https://h/r.git', undefined).path, '');
  });

  it('makes a local repo absolute', () => {
    assert.equal(sourceOf('repos/shop', '').repo, `${process.cwd()}/repos/shop`);
    assert.ok(same('repos/shop', `${process.cwd()}/repos/shop/`));
  });
});

describe('project binding: written in the release transaction', () => {
  const draft = {
    project: 'shop',
    repo: 'r',
    ref: 'main',
    revision: 'c'.repeat(40),
    trigger: 'cli' as const,
    actor: 't',
    desired: { configs: [] } as never,
    images: {},
    summary: {} as never,
    operations: [],
  };

  it('records the release and the binding together', async () => {
    const kv = new MemoryKv();
    const put = { key: bindingKey('shop'), expect: null, value: '{"repo":"r","path":""}' };
    const r = await new ReleaseStore(kv, testSealer()).begin(draft, 10, put);
    assert.equal(r.number, 1);
    assert.equal((await kv.get(bindingKey('shop')))?.value, put.value);
  });

  it('records neither when the binding moved since it was read', async () => {
    const kv = new MemoryKv();
    kv.write(bindingKey('shop'), '{"repo":"other","path":""}');
    const put = { key: bindingKey('shop'), expect: null, value: '{"repo":"r","path":""}' };
    await assert.rejects(new ReleaseStore(kv, testSealer()).begin(draft, 10, put), { code: 'E_STORE_CONFLICT' });
    assert.equal((await kv.get(bindingKey('shop')))?.value, '{"repo":"other","path":""}');
    assert.deepEqual(await new ReleaseStore(kv, testSealer()).list('shop'), []);
  });
});

describe('project binding: sealed with the state key', () => {
  const binding = { repo: 'https://git.example/a.git', path: 'stacks/shop' } as never;

  it('reads back what it wrote', async () => {
    const kv = new MemoryKv();
    const sealer = testSealer();
    assert.equal(await writeClaim(kv, claimOf(sealer, 'shop', { version: null }, binding)), true);
    assert.deepEqual((await readBinding(kv, sealer, 'shop')).binding, binding);
  });

  it('a forged binding is reported and read as none, keeping its version for the next claim', async () => {
    const kv = new MemoryKv();
    const sealer = testSealer();
    const refused: string[] = [];
    sealer.onRejected((r) => refused.push(r.key));
    kv.write(bindingKey('shop'), JSON.stringify({ repo: 'https://evil.example/b.git', path: '' }));
    const read = await readBinding(kv, sealer, 'shop');
    assert.equal(read.binding, undefined);
    assert.notEqual(read.version, null);
    assert.deepEqual(refused, [bindingKey('shop')]);
    assert.equal(await writeClaim(kv, claimOf(sealer, 'shop', read, binding)), true);
    assert.deepEqual((await readBinding(kv, sealer, 'shop')).binding, binding);
  });
});
