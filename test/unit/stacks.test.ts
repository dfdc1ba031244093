/** Many stacks in one repo: layout, discovery, order, fingerprints, triggers and scheduling (pure). */
import { strict as assert } from 'node:assert';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parseDocument } from 'yaml';
import stacksSchema from '../../schemas/stacks.schema.json' with { type: 'json' };
import { formatIssue, ManifestError } from '../../src/errors.ts';
import type { Artifact } from '../../src/ports.ts';
import { changeOf, fingerprintOf, stackArtifact } from '../../src/stacks/artifacts.ts';
import { clusterOf } from '../../src/stacks/cluster.ts';
import { discoverStacks } from '../../src/stacks/discover.ts';
import { findCycle } from '../../src/stacks/order.ts';
import { runInOrder } from '../../src/stacks/schedule.ts';
import { selectStacks } from '../../src/stacks/triggers.ts';

const project = (name: string) => `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${name}\n`;

/** A root artifact: files, and a made-up tree id per folder derived from the files under it. */
function root(files: Record<string, string>, path = ''): Artifact {
  const trees = new Map<string, string>();
  for (const f of Object.keys(files)) {
    const parts = f.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const under = Object.entries(files).filter(([k]) => k.startsWith(`${dir}/`));
      trees.set(dir, JSON.stringify(under));
    }
  }
  const entries = Object.entries(files).map(([k, v]) => [k, Buffer.from(v)] as const);
  return { repo: 'r', ref: 'main', revision: 'abc123', path, files: new Map(entries), trees };
}

function issues(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ManifestError, String(err));
    return err.issues.map(formatIssue);
  }
  assert.fail('expected a ManifestError');
}

const THREE = {
  'stacks/a/bosun.yaml': project('a'),
  'stacks/b/bosun.yaml': project('b'),
  'stacks/b/services/web.yaml': 'x: 1\n',
  'stacks/c/bosun.yaml': project('c'),
  'README.md': 'hi',
};

describe('stacks: discovery from the repo layout', () => {
  it('a glob matches folders, not their subfolders, sorted', () => {
    const s = discoverStacks(root(THREE), ['stacks/*']);
    assert.deepEqual(
      s.map((x) => x.path),
      ['stacks/a', 'stacks/b', 'stacks/c'],
    );
    // ** matches stacks/b/services too: it belongs to stacks/b
    assert.deepEqual(
      discoverStacks(root(THREE), ['stacks/**']).map((x) => x.path),
      ['stacks/a', 'stacks/b', 'stacks/c'],
    );
  });

  it('bosun-stacks.yaml lists stacks with their order and inputs', () => {
    const layout =
      'stacks:\n  - path: stacks/a\n  - path: stacks/b\n    dependsOn: [stacks/a]\n    inputs: [shared/env]\n';
    const s = discoverStacks(root({ ...THREE, 'bosun-stacks.yaml': layout }), []);
    assert.deepEqual(s, [
      { path: 'stacks/a', dependsOn: [], inputs: [] },
      { path: 'stacks/b', dependsOn: ['stacks/a'], inputs: ['shared/env'] },
    ]);
  });

  it('layout errors are located, all at once', () => {
    const layout = [
      'stacks:',
      '  - path: stacks/a',
      '    dependsOn: [stacks/zz]',
      '  - path: ../x',
      '  - paht: stacks/c',
      '',
    ].join('\n');
    assert.deepEqual(
      issues(() => discoverStacks(root({ ...THREE, 'bosun-stacks.yaml': layout }), [])),
      [
        'bosun-stacks.yaml:4:11 stacks[1].path: must be relative and stay inside the repository (no "..")',
        'bosun-stacks.yaml:5:5 stacks[2].paht: is not a stack key (path, dependsOn, inputs)',
        "bosun-stacks.yaml:5:5 stacks[2].path: is required: the stack's folder",
      ],
    );
    assert.deepEqual(
      issues(() =>
        discoverStacks(
          root({
            ...THREE,
            'bosun-stacks.yaml': 'stacks:\n  - path: stacks/a\n    dependsOn: [stacks/zz]\n  - path: nope\n',
          }),
          [],
        ),
      ),
      [
        'bosun-stacks.yaml:4:11 stacks[1].path: no folder "nope" in the repo',
        'bosun-stacks.yaml:3:17 stacks[0].dependsOn[0]: no stack "stacks/zz"',
      ],
    );
  });

  it("the editors' schema agrees with the parser", () => {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    const check = ajv.compile(stacksSchema);
    const ok = 'stacks:\n  - path: stacks/*\n  - path: stacks/b\n    dependsOn: [stacks/a]\n    inputs: [shared/env]\n';
    assert.ok(check(parseDocument(ok).toJS()), JSON.stringify(check.errors));
    for (const bad of ['stacks: []\n', 'stacks:\n  - paht: x\n', 'stacks:\n  - path: ../x\n', 'other: 1\n']) {
      assert.equal(check(parseDocument(bad).toJS()), false, bad);
      assert.throws(() => discoverStacks(root({ ...THREE, 'bosun-stacks.yaml': bad }), []), ManifestError, bad);
    }
  });

  it('a dependency cycle is a located error', () => {
    const layout =
      'stacks:\n  - path: stacks/a\n    dependsOn: [stacks/b]\n  - path: stacks/b\n    dependsOn: [stacks/a]\n';
    assert.deepEqual(
      issues(() => discoverStacks(root({ ...THREE, 'bosun-stacks.yaml': layout }), [])),
      ['bosun-stacks.yaml:3:17 stacks[0].dependsOn[0]: dependency cycle: stacks/a → stacks/b → stacks/a'],
    );
    assert.deepEqual(findCycle([{ path: 'x', dependsOn: ['x'] }]), ['x', 'x']);
    assert.equal(
      findCycle([
        { path: 'x', dependsOn: ['y'] },
        { path: 'y', dependsOn: [] },
      ]),
      undefined,
    );
  });

  it('no layout, or nothing matched, is refused in one line', () => {
    assert.throws(() => discoverStacks(root(THREE), []), /no stacks declared: give --stacks GLOB/);
    assert.throws(
      () => discoverStacks(root(THREE), ['apps/*']),
      /no stack folders in r at abc123: nothing matches apps\/\*/,
    );
  });

  it('a stack folder is cut out of the root artifact as if fetched alone', () => {
    const r = root(THREE, 'cluster');
    const a = stackArtifact(r, 'stacks/b');
    assert.equal(a.path, 'cluster/stacks/b');
    assert.equal(a.tree, r.trees!.get('stacks/b'));
    assert.deepEqual([...a.files.keys()], ['bosun.yaml', 'services/web.yaml']);
    assert.deepEqual([...a.trees!.keys()], ['services']);
  });

  it('two folders naming one project are both refused; the others are not', () => {
    const c = clusterOf(root({ ...THREE, 'stacks/c/bosun.yaml': project('a') }), ['stacks/*']);
    const refused = c.stacks.filter((s) => s.refused).map((s) => [s.path, s.refused!.message]);
    assert.deepEqual(refused, [
      ['stacks/a', 'project "a" is also named by stack stacks/c: each stack folder must name its own project'],
      ['stacks/c', 'project "a" is also named by stack stacks/a: each stack folder must name its own project'],
    ]);
    assert.equal(c.stacks.find((s) => s.path === 'stacks/b')!.project, 'b');
  });
});

describe('stacks: path-scoped triggers', () => {
  const stack = (path: string, inputs: string[] = []) => ({ path, dependsOn: [], inputs });

  it('the fingerprint changes with the folder or a declared input, not with other folders', () => {
    const before = root({ ...THREE, 'shared/env': 'A=1' });
    const other = root({ ...THREE, 'shared/env': 'A=1', 'stacks/c/bosun.yaml': project('c2') });
    const input = root({ ...THREE, 'shared/env': 'A=2' });
    const fp = (r: Artifact) => fingerprintOf(r, stack('stacks/a', ['shared/env']));
    assert.equal(changeOf(fp(before), fp(other)), undefined);
    assert.equal(changeOf(fp(before), fp(input)), 'inputs');
    assert.equal(changeOf(fp(before), fingerprintOf(before, stack('stacks/b'))), 'changed');
  });

  it('selects new, changed and retried stacks; the rest are untouched; gone ones are named', () => {
    const fp = (tree: string) => ({ tree, inputs: {} });
    const now = new Map([
      ['a', fp('1')],
      ['b', fp('2')],
      ['c', fp('3')],
      ['d', fp('4')],
    ]);
    const known = new Map([
      ['a', { handled: fp('1') }],
      ['b', { handled: fp('old') }],
      ['c', { handled: fp('3'), retry: true }],
      ['e', { handled: fp('5') }],
    ]);
    assert.deepEqual(selectStacks(now, known, false), {
      touched: [
        { path: 'b', reason: 'changed' },
        { path: 'c', reason: 'retry' },
        { path: 'd', reason: 'added' },
      ],
      untouched: ['a'],
      gone: ['e'],
    });
    assert.deepEqual(
      selectStacks(now, new Map(), true).touched.map((t) => t.reason),
      ['start', 'start', 'start', 'start'],
    );
  });
});

describe('stacks: scheduling', () => {
  it('runs in dependency order, at most `limit` at once; a failure stops only its dependents', async () => {
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const stacks = [
      { path: 'app', dependsOn: ['proxy'] },
      { path: 'proxy', dependsOn: [] },
      { path: 'broken', dependsOn: [] },
      { path: 'needs-broken', dependsOn: ['broken'] },
      { path: 'x', dependsOn: [] },
      { path: 'y', dependsOn: ['untouched'] },
    ];
    const r = await runInOrder(stacks, 2, async (p) => {
      running++;
      most = Math.max(most, running);
      await new Promise((res) => setTimeout(res, 5));
      running--;
      order.push(p);
      if (p === 'broken') throw new Error('bad manifest');
      return p;
    });
    assert.ok(order.indexOf('proxy') < order.indexOf('app'), order.join(','));
    assert.equal(most, 2);
    assert.equal(r.get('broken')!.status, 'failed');
    assert.deepEqual(r.get('needs-broken'), { status: 'skipped', reason: 'dependency broken did not converge' });
    for (const p of ['app', 'proxy', 'x', 'y']) assert.deepEqual(r.get(p), { status: 'done', value: p });
  });
});
