import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import {
  type BuildInput,
  buildIdentity,
  builtImageTag,
  contextPaths,
  joinInside,
} from '../../src/formats/build-identity.ts';
import { copyDigest, readRepoCopy } from '../../src/formats/repo-copy.ts';
import { serviceSpecHash, specRecord } from '../../src/model/hash.ts';
import { artifact, issuesOf, load, serviceDoc } from '../fixtures/manifests/helpers.ts';

const bytes = (s: string) => Buffer.from(s);
const base = (): BuildInput => ({
  files: new Map([
    ['Dockerfile', bytes('FROM busybox\nCOPY app.txt /app.txt\n')],
    ['app.txt', bytes('v1')],
    ['notes.md', bytes('docs')],
  ]),
  dockerfile: 'Dockerfile',
  args: {},
});

describe('build identity', () => {
  it('is stable: the same input, in any map order, gives the same 64 hex digits', () => {
    const a = buildIdentity(base());
    const reversed = { ...base(), files: new Map([...base().files].reverse()) };
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.equal(buildIdentity(reversed), a);
    assert.equal(buildIdentity({ ...base(), dockerfile: './Dockerfile' }), a);
  });

  it('changes with every input: a file, a new file, the dockerfile path, the target, an arg, the executable bit', () => {
    const a = buildIdentity(base());
    const changed = (over: Partial<BuildInput>) => buildIdentity({ ...base(), ...over });
    const withFile = (name: string, content: string) => new Map([...base().files, [name, bytes(content)]]);
    const variants = [
      changed({ files: withFile('app.txt', 'v2') }),
      changed({ files: withFile('extra.txt', '') }),
      changed({ files: withFile('web.Dockerfile', 'FROM busybox\n'), dockerfile: 'web.Dockerfile' }),
      changed({ target: 'prod' }),
      changed({ args: { VERSION: '1' } }),
      changed({ args: { VERSION: '2' } }),
      changed({ executables: new Set(['app.txt']) }),
    ];
    assert.equal(new Set([a, ...variants]).size, variants.length + 1, 'every variant has its own identity');
  });

  it('follows .dockerignore as docker build does: ignored files do not count, Dockerfile and .dockerignore always do', () => {
    const ignore = (rules: string) => new Map([...base().files, ['.dockerignore', bytes(rules)]]);
    const files = ignore('# docs stay out\n*.md\nDockerfile\n.dockerignore\nsub\n!sub/keep\n');
    files.set('sub/drop', bytes('x'));
    files.set('sub/keep', bytes('y'));
    files.set('deep/notes.md', bytes('a *.md rule matches only at the root'));
    assert.deepEqual(contextPaths(files, 'Dockerfile'), [
      '.dockerignore',
      'Dockerfile',
      'app.txt',
      'deep/notes.md',
      'sub/keep',
    ]);
    const a = buildIdentity({ ...base(), files: ignore('*.md\n') });
    const docs = ignore('*.md\n');
    docs.set('notes.md', bytes('changed docs'));
    assert.equal(buildIdentity({ ...base(), files: docs }), a, 'an ignored file changing changes nothing');
    assert.notEqual(buildIdentity({ ...base(), files: ignore('*.md\n# another comment\n') }), a);
  });

  it('names the default tag <project>-<service>:<12 hex>', () => {
    assert.equal(builtImageTag('shop', 'web', 'abcdef0123456789'), 'shop-web:abcdef012345');
  });

  it('joins relative paths inside their root only', () => {
    assert.equal(joinInside('stacks/shop', './web/../conf//app.conf'), 'stacks/shop/conf/app.conf');
    assert.equal(joinInside('a', '../..'), undefined);
    assert.equal(joinInside('', '.'), '');
  });
});

describe('repo copies', () => {
  const art = () => {
    const a = artifact({ 'conf/app.conf': 'port=80\n', 'conf/sub/x.sh': 'echo\n', 'one.txt': 'hi' }, 'stacks/shop');
    return { ...a, executables: new Set(['conf/sub/x.sh']) };
  };

  it('reads one file under the key "", with a digest of its bytes', () => {
    const copy = readRepoCopy(art(), { path: 'one.txt', target: '/etc/one', readOnly: true });
    assert.ok(typeof copy !== 'string');
    assert.deepEqual(copy, {
      source: 'stacks/shop/one.txt',
      target: '/etc/one',
      readOnly: true,
      digest: copyDigest(new Map([['', bytes('hi')]]), new Set()),
      content: { '': Buffer.from('hi').toString('base64') },
    });
  });

  it('reads a folder with its executable bits; the digest follows every byte, path and bit', () => {
    const copy = readRepoCopy(art(), { path: 'conf', target: '/etc/app', readOnly: false });
    assert.ok(typeof copy !== 'string');
    assert.deepEqual(Object.keys(copy.content), ['app.conf', 'sub/x.sh']);
    assert.deepEqual(copy.executable, ['sub/x.sh']);
    const changed = art();
    changed.files.set('conf/app.conf', bytes('port=81\n'));
    const other = readRepoCopy(changed, { path: 'conf', target: '/etc/app', readOnly: false });
    assert.ok(typeof other !== 'string');
    assert.notEqual(other.digest, copy.digest);
    const noBit = readRepoCopy({ ...art(), executables: new Set() }, { path: 'conf', target: '/x', readOnly: false });
    assert.ok(typeof noBit !== 'string');
    assert.notEqual(noBit.digest, copy.digest);
  });

  it('says what is missing or too large', () => {
    assert.equal(
      readRepoCopy(art(), { path: 'nope', target: '/x', readOnly: false }),
      'no file or folder "nope" in the repo at this revision',
    );
    const big = { ...art(), skipped: [{ path: 'conf/huge.bin', bytes: 20_000_000 }] };
    assert.equal(
      readRepoCopy(big, { path: 'conf', target: '/x', readOnly: false }),
      '"conf/huge.bin" is too large to copy (20000000 bytes)',
    );
  });
});

const WEB = serviceDoc(
  'web',
  '  build: { context: ./web, args: { V: "1" } }\n  copies: [ { source: ../conf/app.conf, target: /etc/app.conf, readOnly: true } ]\n',
);
const FILES = {
  'services/web.yaml': WEB,
  'services/web/Dockerfile': 'FROM busybox\nCOPY . /srv\n',
  'services/web/index.html': 'hello',
  'conf/app.conf': 'port=80\n',
};

describe('bosun/v1 build and copies', () => {
  it('normalizes spec.build (context from the manifest folder, default tag) and spec.copies (bytes and digest)', () => {
    const web = load(FILES).services[0]!;
    const identity = web.build!.identity;
    assert.equal(web.image, `shop-web:${identity.slice(0, 12)}`);
    assert.deepEqual(web.build, { context: 'services/web', dockerfile: 'Dockerfile', args: { V: '1' }, identity });
    assert.equal(web.copies?.length, 1);
    assert.equal(web.copies![0]!.source, 'conf/app.conf');
    assert.equal(web.copies![0]!.readOnly, true);
    assert.equal(Buffer.from(web.copies![0]!.content['']!, 'base64').toString(), 'port=80\n');
    const named = load({
      ...FILES,
      'services/web.yaml': serviceDoc('web', '  image: my/web:dev\n  build: { context: web }\n'),
    });
    assert.equal(named.services[0]!.image, 'my/web:dev');
  });

  it('a changed file changes the spec hash of exactly the service that reads it; the record holds no bytes', () => {
    const hashes = (files: Record<string, string>) =>
      Object.fromEntries(load(files).services.map((s) => [s.name, serviceSpecHash(s, [])]));
    const withDb = { ...FILES, 'services/db.yaml': serviceDoc('db') };
    const before = hashes(withDb);
    const conf = hashes({ ...withDb, 'conf/app.conf': 'port=81\n' });
    const ctx = hashes({ ...withDb, 'services/web/index.html': 'changed' });
    assert.notEqual(conf.web, before.web);
    assert.notEqual(ctx.web, before.web);
    assert.equal(conf.db, before.db);
    assert.equal(ctx.db, before.db);
    const record = JSON.stringify(specRecord(load(FILES).services[0]!, []));
    assert.ok(!record.includes(Buffer.from('port=80\n').toString('base64')), record);
    assert.ok(record.includes('"digest"'));
  });

  it('leaves specs without build or copies as they were (no new fields)', () => {
    const db = load({ 'db.yaml': serviceDoc('db') }).services[0]!;
    assert.equal('build' in db, false);
    assert.equal('copies' in db, false);
  });

  it('locates every problem: escaping the stack folder, missing files, a missing Dockerfile, image or build, limits', () => {
    const issues = issuesOf(
      {
        'a.yaml': serviceDoc('a', '  build: { context: ../../elsewhere }\n'),
        'b.yaml': serviceDoc('b', '  build: { context: web, dockerfile: ../Dockerfile }\n'),
        'c.yaml': serviceDoc('c', '  build: { context: web }\n'),
        'd.yaml': serviceDoc(
          'd',
          '  image: x:1\n  copies: [ { source: ../../x, target: /x }, { source: nope, target: /y }, { source: ok, target: /y } ]\n',
        ),
        'e.yaml': serviceDoc('e', '  replicas: 1\n'),
        'f.yaml': serviceDoc(
          'f',
          '  image: x:1\n  volumes: [ { volume: data, target: /data } ]\n  copies: [ { source: ok, target: /data/conf } ]\n',
        ),
        'web/index.html': 'no Dockerfile here',
        ok: 'fine',
        'v.yaml': 'apiVersion: bosun/v1\nkind: Volume\nmetadata: { name: data }\n',
      },
      { path: 'stacks/shop' },
    );
    assert.deepEqual(issues, [
      'stacks/shop/a.yaml:6:21 spec.build.context: must stay inside the stack folder (no ".." above it)',
      'stacks/shop/b.yaml:6:38 spec.build.dockerfile: must stay inside the build context (no "..")',
      'stacks/shop/c.yaml:6:10 spec.build.dockerfile: no file "Dockerfile" in the build context "web"',
      'stacks/shop/d.yaml:7:23 spec.copies[0].source: must stay inside the stack folder (no ".." above it)',
      'stacks/shop/d.yaml:7:56 spec.copies[1].source: no file or folder "nope" in the repo at this revision',
      'stacks/shop/d.yaml:7:98 spec.copies[2].target: "/y" is already the target of spec.copies[1]',
      'stacks/shop/e.yaml:6:3 spec.image: is required',
      'stacks/shop/f.yaml:8:35 spec.copies[0].target: "/data/conf" is inside the volume mounted at "/data": a copy there would be written into the volume',
    ]);
  });

  it('refuses copies over 1 MiB per service and 4 MiB per stack, at spec.copies', () => {
    const mib = (n: number) => 'x'.repeat(n * 1024 * 1024);
    const copy = (name: string, file: string) =>
      serviceDoc(name, `  image: x:1\n  copies: [ { source: ${file}, target: /data } ]\n`);
    assert.deepEqual(issuesOf({ 'a.yaml': copy('a', 'big'), big: `${mib(1)}!` }), [
      'a.yaml:7:11 spec.copies: copies 1.00 MiB, over the 1 MiB a service may copy in (releases keep every copied byte): build the files into an image instead',
    ]);
    const five = Object.fromEntries(
      ['a', 'b', 'c', 'd', 'e'].flatMap((n) => [
        [`${n}.yaml`, copy(n, `${n}.bin`)],
        [`${n}.bin`, mib(1)],
      ]),
    );
    assert.deepEqual(issuesOf(five), [
      'e.yaml:7:11 spec.copies: copies 5 MiB, over the 4 MiB a stack (all services together) may copy in (releases keep every copied byte): build the files into an image instead',
    ]);
  });

  it('an identity equals the identity of the same files given to the shared function directly', () => {
    const web = load(FILES).services[0]!;
    const direct = buildIdentity({
      files: new Map([
        ['Dockerfile', bytes(FILES['services/web/Dockerfile'])],
        ['index.html', bytes('hello')],
      ]),
      dockerfile: 'Dockerfile',
      args: { V: '1' },
    });
    assert.equal(web.build!.identity, direct);
    assert.equal(createHash('sha256').update('x').digest('hex').length, direct.length);
  });
});
