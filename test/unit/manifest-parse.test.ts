import { strict as assert } from 'node:assert';
import { issuesOf, load, PROJECT, serviceDoc } from '../fixtures/manifests/helpers.ts';

/** A document whose nine levels of aliases expand to 9^9 items if anyone follows them. */
function billionLaughs(): string {
  const lines = [
    'apiVersion: bosun/v1',
    'kind: Config',
    'metadata: { name: lol }',
    'spec:',
    '  prefix: /lol/',
    '  data:',
    '    l0: &l0 "lol"',
  ];
  for (let i = 1; i <= 9; i++)
    lines.push(
      `    l${i}: &l${i} [${Array(9)
        .fill(`*l${i - 1}`)
        .join(', ')}]`,
    );
  return `${lines.join('\n')}\n`;
}

describe('manifest parsing', () => {
  it('reports YAML syntax errors with their position, and still reads the other documents', () => {
    const text = `${serviceDoc('web', '  image: app:1\n  ports: [ { container: 80 }\n')}---\n${serviceDoc('api', '  replicas: x\n')}`;
    assert.deepEqual(
      issuesOf({ 'web.yaml': text }),
      [
        'web.yaml:8:1 Flow sequence in block collection must be sufficiently indented and end with a ]',
        'web.yaml:14:13 spec.replicas: must be integer',
        'web.yaml:14:3 spec.image: is required',
      ].sort(byPosition),
    );
  });

  it('rejects duplicate keys, naming the key and its path', () => {
    const text = serviceDoc('web', '  image: app:1\n  replicas: 1\n  replicas: 2\n');
    assert.deepEqual(issuesOf({ 'web.yaml': text }), ['web.yaml:8:3 spec.replicas: duplicate key "replicas"']);
  });

  it('rejects an alias bomb quickly', () => {
    const started = Date.now();
    const issues = issuesOf({ 'lol.yaml': billionLaughs() });
    assert.ok(Date.now() - started < 2000, `took ${Date.now() - started} ms`);
    assert.deepEqual(issues, ['lol.yaml:1:1 too many aliases (more than 100 expansions): refusing to expand']);
  });

  it('accepts the few aliases real manifests use', () => {
    const text = `${serviceDoc('web', '  image: app:1\n  env: &env { A: "1" }\n')}---\n${serviceDoc('api', '  image: app:1\n  env: *env\n')}`;
    // anchors do not cross documents in YAML: the second document's alias is an error
    assert.deepEqual(issuesOf({ 'web.yaml': text }), [
      'web.yaml:15:8 Unresolved alias (the anchor must be set before the alias): env',
    ]);
    const same = serviceDoc('web', '  image: app:1\n  command: &c [sh, -c]\n  entrypoint: *c\n');
    assert.deepEqual(load({ 'web.yaml': same }).services[0]!.entrypoint, ['sh', '-c']);
  });

  it('turns pathological nesting into one issue, not a crash', () => {
    const deep = `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: x }\nspec: { prefix: /x/, data: { k: ${'['.repeat(5000)}${']'.repeat(5000)} } }\n`;
    const issues = issuesOf({ 'deep.yaml': deep });
    assert.equal(issues.length, 1);
    assert.match(issues[0]!, /^deep\.yaml:4:\d+ nesting too deep \(the limit is 100 levels\)$/);
  });

  it('caps the syntax errors of one document', () => {
    const garbage = Array.from({ length: 30 }, (_, i) => `k${i}: "x" y\n`).join('');
    const issues = issuesOf({ 'g.yaml': garbage });
    assert.equal(issues.length, 21);
    assert.equal(issues[0], 'g.yaml:1:9 Unexpected scalar at node end');
    assert.ok(issues.includes('g.yaml:21:10 10 more syntax errors in this document'), issues.join('\n'));
  });

  it('rejects a file that is not UTF-8, naming the line', () => {
    const bytes = Buffer.concat([
      Buffer.from('apiVersion: bosun/v1\nkind: Service\n# caf'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    assert.deepEqual(issuesOf({ 'web.yaml': bytes }), ['web.yaml:3:1 file is not valid UTF-8']);
  });

  it('rejects a file over 1 MiB without parsing it', () => {
    const big = `${serviceDoc('web')}# ${'x'.repeat(1.1 * 1024 * 1024)}\n`;
    assert.deepEqual(issuesOf({ 'big.yaml': big }), [
      `big.yaml:1:1 file too large (${Buffer.byteLength(big)} bytes, the limit is 1 MiB)`,
    ]);
  });

  it('ignores YAML that is not a bosun manifest, empty documents and dot-directories', () => {
    const state = load({
      'compose.yaml': 'services:\n  web:\n    image: nginx\n',
      'k8s.yaml': 'apiVersion: apps/v1\nkind: Deployment\n',
      'list.yaml': '- a\n- b\n',
      'web.yaml': `---\n---\n# only a comment\n---\n${serviceDoc('web')}`,
      '.github/workflows/ci.yml': 'on: [push\n',
      'README.md': 'apiVersion: bosun/v1\nkind: Nope\n',
    });
    assert.deepEqual(
      state.services.map((s) => s.name),
      ['web'],
    );
  });

  it('reports every problem of every file at once, sorted by file and position', () => {
    const issues = issuesOf({
      'b.yaml': serviceDoc('b', '  image: app:1\n  replicas: -1\n'),
      'a.yaml': `${serviceDoc('a', '  image: 1\n  restart: never\n')}---\nkind: Volume\napiVersion: bosun/v1\nmetadata: { name: A }\n`,
      'c.yml':
        'apiVersion: bosun/v1\nkind: Config\nmetadata: { name: c }\nspec: { prefix: /c/, data: { k: v }, extra: 1 }\n',
    });
    assert.deepEqual(issues, [
      'a.yaml:6:10 spec.image: must be string',
      'a.yaml:7:12 spec.restart: must be one of no, always, on-failure, unless-stopped',
      'a.yaml:11:19 metadata.name: must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
      'b.yaml:7:13 spec.replicas: must be >= 0',
      'c.yml:4:38 spec.extra: unknown field "extra"',
    ]);
  });

  it('prefixes file names with the artifact path', () => {
    assert.deepEqual(issuesOf({ 'web.yaml': serviceDoc('web', '  replicas: 1\n') }, { path: 'deploy/prod' }), [
      'deploy/prod/web.yaml:6:3 spec.image: is required',
    ]);
  });

  it('requires a Project manifest or a project name, and checks the name given', () => {
    assert.deepEqual(issuesOf({ 'web.yaml': serviceDoc('web') }, { noProject: true }), [
      '<root>:1:1 a Project manifest or --project is required',
    ]);
    assert.deepEqual(issuesOf({ 'web.yaml': serviceDoc('web') }, { noProject: true, project: 'Shop' }), [
      '<root>:1:1 --project "Shop" must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
    ]);
    assert.equal(load({ 'web.yaml': serviceDoc('web') }, { project: 'other' }).project.name, 'other');
  });

  it('reads only the Project paths, plus the Project file itself', () => {
    const project = `${PROJECT}spec:\n  paths: [services, ./config/]\n`;
    const state = load({
      'bosun.yaml': project,
      'services/web.yaml': serviceDoc('web'),
      'config/db.yaml': serviceDoc('db'),
      'services-old/x.yaml': 'apiVersion: bosun/v1\nkind: Bogus\n',
      'charts/values.yaml': 'a: [unclosed\n',
    });
    assert.deepEqual(
      state.services.map((s) => s.name),
      ['db', 'web'],
    );
    assert.deepEqual(state.project.paths, ['config', 'services']);
  });
});

function byPosition(a: string, b: string): number {
  const pos = (s: string) => s.split(' ')[0]!.split(':').slice(1).map(Number);
  const [la, ca] = pos(a);
  const [lb, cb] = pos(b);
  return la! - lb! || ca! - cb!;
}
