/**
 * The hostile-manifest fixes, one focused case each (the chaos corpus covers the variations):
 * every one of these was accepted, crashed the loader or took minutes before.
 */
import { strict as assert } from 'node:assert';
import { issuesOf, load, serviceDoc } from '../fixtures/manifests/helpers.ts';

const config = (spec: string) => `apiVersion: bosun/v1\nkind: Config\nmetadata:\n  name: c\nspec:\n${spec}`;
const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');

/** Runs `fn`, failing when it takes longer than `ms` (generous: the old costs were minutes). */
function within<T>(ms: number, fn: () => T): T {
  const started = performance.now();
  const result = fn();
  const took = performance.now() - started;
  assert.ok(took < ms, `took ${Math.round(took)} ms (limit ${ms} ms)`);
  return result;
}

describe('hostile manifests', () => {
  it('reports the first 50 problems of a flooded document and counts the rest', () => {
    const text = serviceDoc('web', `  image: a\n  command: [${Array(150_000).fill('1').join(',')}]\n`);
    const issues = issuesOf({ 'web.yaml': text });
    assert.equal(issues.length, 51);
    assert.equal(issues[0], 'web.yaml:7:13 spec.command[0]: must be string');
    assert.ok(issues.includes('web.yaml:7:113 149950 more problems in this document'), issues.slice(-2).join('\n'));
  });

  it('caps a repo of thousands of bad documents at 500 problems plus a count of the rest', () => {
    const docs = Array.from({ length: 2000 }, (_, i) => serviceDoc(`s${i}`, '  image: 7\n')).join('---\n');
    const issues = issuesOf({ 'many.yaml': docs });
    assert.equal(issues.length, 501);
    assert.match(issues[500]!, /^many\.yaml:\d+:\d+ and 1500 more problems in the repo \(fix these first\)$/);
  });

  it('parses 40k keys of one mapping in linear time, and still names a duplicate key', () => {
    const env = `  env:\n${lines(40_000, (i) => `    K${i}: v`)}\n    K7: again\n`;
    const issues = within(20_000, () => issuesOf({ 'web.yaml': serviceDoc('web', `  image: a\n${env}`) }));
    assert.deepEqual(issues, ['web.yaml:40008:5 spec.env.K7: duplicate key "K7"']);
  });

  it('treats keys that become the same JS property as duplicates, aliases included', () => {
    assert.deepEqual(issuesOf({ 'w.yaml': serviceDoc('web', '  image: a\n  env: {1: a, "1": b}\n') }), [
      'w.yaml:7:15 spec.env["1"]: duplicate key "1"',
    ]);
    assert.deepEqual(issuesOf({ 'w.yaml': serviceDoc('web', '  x: &k image\n  image: a\n  *k : evil\n') }), [
      'w.yaml:8:3 spec.image: duplicate key "image"',
    ]);
  });

  it('reserves the /bosun/ key prefix, naming the field', () => {
    assert.deepEqual(issuesOf({ 'c.yaml': config('  prefix: /bosun/shop/\n  data: { pin: x }\n') }), [
      "c.yaml:6:11 spec.prefix: must not start with /bosun/ (reserved for bosun's own releases, locks and endpoints)",
    ]);
  });

  it('refuses Config keys "." and "..", which name folders when written as files', () => {
    assert.deepEqual(issuesOf({ 'c.yaml': config('  prefix: /c/\n  data: { ".": a, "..": b, ok.key: c }\n') }), [
      'c.yaml:7:11 spec.data["."]: must not be "." or ".." (keys become file names in spec.files folders)',
      'c.yaml:7:19 spec.data[".."]: must not be "." or ".." (keys become file names in spec.files folders)',
    ]);
  });

  it('refuses a files key that its Config does not hold', () => {
    const files = {
      'c.yaml': config('  prefix: /c/\n  data: { a: 1 }\n'),
      'w.yaml': serviceDoc('web', '  image: a\n  files: [{ config: c, key: b, target: /etc/b }]\n'),
    };
    assert.deepEqual(issuesOf(files), ['w.yaml:7:29 spec.files[0].key: Config "c" has no key "b"']);
  });

  it('bounds cpus, memory and update parallelism', () => {
    const resources = (r: string) => issuesOf({ 'w.yaml': serviceDoc('web', `  image: a\n  resources: ${r}\n`) });
    assert.deepEqual(resources('{ cpus: 1e308 }'), ['w.yaml:7:22 spec.resources.cpus: must be between 0.01 and 1024']);
    assert.deepEqual(resources('{ cpus: 1e-300 }'), ['w.yaml:7:22 spec.resources.cpus: must be between 0.01 and 1024']);
    assert.deepEqual(resources('{ memory: 1e300 }'), ['w.yaml:7:24 spec.resources.memory: must be at most 1024Ti']);
    assert.deepEqual(resources('{ memory: 2000Ti }'), ['w.yaml:7:24 spec.resources.memory: must be at most 1024Ti']);
    const parallelism = issuesOf({ 'w.yaml': serviceDoc('web', '  image: a\n  update: { parallelism: 1000000 }\n') });
    assert.deepEqual(parallelism, ['w.yaml:7:26 spec.update.parallelism: must be <= 1000']);
  });

  it('reports unknown tags instead of dropping what they hold, even under %YAML 1.1', () => {
    assert.deepEqual(issuesOf({ 'w.yaml': serviceDoc('web', '  image: a\n  env: !!set { A, B }\n') }).slice(0, 1), [
      'w.yaml:7:8 unsupported tag !!set (manifests hold plain YAML 1.2: strings, numbers, booleans, lists and mappings)',
    ]);
    const yaml11 = `%YAML 1.1\n---\n${serviceDoc('web', '  image: a\n  env: !!set { A, B }\n')}`;
    assert.match(issuesOf({ 'w.yaml': yaml11 }).join('\n'), /w\.yaml:9:8 unsupported tag !!set/);
  });

  it('refuses raw control characters, naming line and column', () => {
    const nul = Buffer.concat([Buffer.from(serviceDoc('web', '  image: ab')), Buffer.from([0x00]), Buffer.from('c\n')]);
    assert.deepEqual(issuesOf({ 'w.yaml': nul }), [
      'w.yaml:6:12 control character U+0000 is not allowed in YAML (write it as an escape inside double quotes)',
    ]);
    const c1 = serviceDoc('web', '  image: a\u009b\n');
    assert.match(issuesOf({ 'w.yaml': c1 })[0]!, /^w\.yaml:6:11 control character U\+009B/);
    // escapes inside double quotes are how YAML spells them: left to the schema
    assert.equal(
      load({ 'w.yaml': serviceDoc('web', '  image: a\n  env: { A: "tab\\there" }\n') }).services[0]!.env.A,
      'tab\there',
    );
  });

  it('stops parsing past 100 levels of nesting, block or flow', () => {
    const flow = serviceDoc('web', `  image: a\n  command: ${'['.repeat(200)}x${']'.repeat(200)}\n`);
    assert.match(issuesOf({ 'w.yaml': flow })[0]!, /^w\.yaml:7:\d+ nesting too deep \(the limit is 100 levels\)$/);
    const block = serviceDoc('web', `  image: a\n  labels:\n${lines(120, (i) => `${' '.repeat(i + 4)}k${i}:`)} x\n`);
    assert.match(issuesOf({ 'w.yaml': block })[0]!, /^w\.yaml:\d+:\d+ nesting too deep/);
  });

  it('refuses documents with more than 1000 aliases before yaml resolves them one scan each', () => {
    const text = serviceDoc('web', `  image: a\n  command:\n${lines(20_000, (i) => `    - &a${i} x\n    - *a${i}`)}\n`);
    const issues = within(20_000, () => issuesOf({ 'w.yaml': text }));
    assert.deepEqual(issues, ['w.yaml:2009:7 too many aliases (the limit is 1000 per document)']);
  });

  it('locates many failing items of a definition with refs in linear time', () => {
    const text = serviceDoc('web', `  image: a\n  volumes:\n${'    - { target: x }\n'.repeat(30_000)}`);
    const issues = within(20_000, () => issuesOf({ 'w.yaml': text }));
    assert.equal(issues[0], 'w.yaml:8:17 spec.volumes[0].target: must be an absolute path without ".." segments');
    assert.match(issues[issues.length - 1]!, /29950 more problems in this document$/);
  });
});
