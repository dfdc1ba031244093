import { strict as assert } from 'node:assert';
import { formatIssue, ManifestError } from '../../src/errors.ts';
import { encryptArmored, newIdentityFile, parseIdentities, type AgeKeys } from '../../src/secrets/age.ts';
import { NO_SECRET_SOURCES, resolveSecrets, type SecretSources } from '../../src/secrets/resolve.ts';
import { issuesOf, load, type Files } from '../fixtures/manifests/helpers.ts';

/** A Config named db whose spec continues (from line 7) with `rest`. */
const configDoc = (rest: string) =>
  `apiVersion: bosun/v1\nkind: Config\nmetadata:\n  name: db\nspec:\n  prefix: /shop/db/\n${rest}`;

/** `KEY: |` with the armored block under it, indented for spec.data. */
const block = (key: string, armored: string) =>
  `    ${key}: |\n${armored
    .trimEnd()
    .split('\n')
    .map((l) => `      ${l}\n`)
    .join('')}`;

async function keys(): Promise<AgeKeys> {
  return parseIdentities((await newIdentityFile(new Date(0))).text);
}

function sources(age: AgeKeys, o: Partial<SecretSources> = {}): SecretSources {
  return { ...NO_SECRET_SOURCES, age, ...o };
}

async function resolveIssues(files: Files, with_: SecretSources): Promise<string[]> {
  try {
    await resolveSecrets(load(files), with_);
  } catch (err) {
    assert.ok(err instanceof ManifestError, `expected ManifestError, got ${String(err)}`);
    assert.equal(err.code, 'E_MANIFEST_INVALID');
    return err.issues.map(formatIssue);
  }
  assert.fail('expected a ManifestError');
}

describe('age values in Configs: load, then resolve', () => {
  let ours: AgeKeys;
  let theirs: AgeKeys;
  let armored: string;

  before(async () => {
    [ours, theirs] = await Promise.all([keys(), keys()]);
    armored = await encryptArmored('hunter2-age', ours.recipients);
  });

  it('loads an armored value sealed, out of data, and makes the Config secret', () => {
    const desired = load({ 'c.yaml': configDoc(`  data:\n    USER: app\n${block('PASS', armored)}`) });
    const db = desired.configs[0]!;
    assert.deepEqual(db.data, { USER: 'app' });
    assert.equal(db.secret, true);
    assert.deepEqual(Object.keys(db.sealed ?? {}), ['PASS']);
    assert.deepEqual(db.sealed?.PASS?.at, { file: 'c.yaml', line: 9, col: 11, path: 'spec.data.PASS' });
    assert.doesNotMatch(JSON.stringify(desired), /hunter2/);
  });

  it('decrypts it with the identity, into data, and leaves no sealed field', async () => {
    const loaded = load({ 'c.yaml': configDoc(`  data:\n    USER: app\n${block('PASS', armored)}`) });
    const desired = await resolveSecrets(loaded, sources(ours));
    assert.deepEqual(desired.configs[0], {
      name: 'db',
      prefix: '/shop/db/',
      data: { PASS: 'hunter2-age', USER: 'app' },
      secret: true,
    });
  });

  it('returns the same state when nothing is sealed', async () => {
    const loaded = load({ 'c.yaml': configDoc('  data:\n    USER: app\n') });
    assert.equal(await resolveSecrets(loaded, NO_SECRET_SOURCES), loaded);
    assert.equal(loaded.configs[0]!.secret, false);
  });

  it('decrypts a whole file committed next to the manifest (armored or binary), by dataFrom.ageFile', async () => {
    const binary = Buffer.from(
      (await encryptArmored('-----BEGIN KEY-----\nabc\n', ours.recipients)).split('\n').slice(1, -2).join(''),
      'base64',
    );
    const files: Files = {
      'config/c.yaml': configDoc(
        '  dataFrom:\n    tls.crt: { ageFile: certs/tls.crt.age }\n    tls.key: { ageFile: ../keys/tls.key.age }\n',
      ),
      'config/certs/tls.crt.age': await encryptArmored('CERT\n', ours.recipients),
      'keys/tls.key.age': binary,
    };
    const desired = await resolveSecrets(load(files), sources(ours));
    assert.deepEqual(desired.configs[0]!.data, { 'tls.crt': 'CERT\n', 'tls.key': '-----BEGIN KEY-----\nabc\n' });
  });

  it('reads BOSUN_SECRET_* variables and secrets-dir files through the sources it is given', async () => {
    const files = {
      'c.yaml': configDoc('  dataFrom:\n    TOKEN: { env: BOSUN_SECRET_TOKEN }\n    KEY: { file: db/key }\n'),
    };
    const desired = await resolveSecrets(
      load(files),
      sources(ours, {
        env: (name) => (name === 'BOSUN_SECRET_TOKEN' ? 'tok' : undefined),
        readFile: async (rel) => `file:${rel}`,
      }),
    );
    assert.deepEqual(desired.configs[0], {
      name: 'db',
      prefix: '/shop/db/',
      data: { KEY: 'file:db/key', TOKEN: 'tok' },
      secret: true,
    });
  });

  it('lets a service read a dataFrom key as a file', () => {
    const service =
      'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  image: app:1\n  files: [{ config: db, key: TOKEN, target: /run/token }]\n';
    const files = { 'c.yaml': configDoc('  dataFrom:\n    TOKEN: { env: BOSUN_SECRET_TOKEN }\n'), 'w.yaml': service };
    assert.equal(load(files).services[0]!.files?.[0]?.key, 'TOKEN');
  });

  describe('values that cannot be opened: every one, located, nothing resolved', () => {
    it('no identity given', async () => {
      const files = { 'c.yaml': configDoc(`  data:\n${block('PASS', armored)}`) };
      assert.deepEqual(await resolveIssues(files, NO_SECRET_SOURCES), [
        'c.yaml:8:11 spec.data.PASS: cannot decrypt age value: no age identity given (--age-identity or BOSUN_AGE_IDENTITY)',
      ]);
    });

    it('the wrong identity names the recipient the controller holds', async () => {
      const files = { 'c.yaml': configDoc(`  data:\n${block('PASS', armored)}`) };
      assert.deepEqual(await resolveIssues(files, sources(theirs)), [
        `c.yaml:8:11 spec.data.PASS: cannot decrypt age value: no identity matches (the controller's identity is for ${theirs.recipients[0]})`,
      ]);
    });

    it('a value another key set decrypted before is still refused (remembered per key set)', async () => {
      const files = { 'c.yaml': configDoc(`  data:\n${block('PASS', armored)}`) };
      assert.equal((await resolveSecrets(load(files), sources(ours))).configs[0]!.data.PASS, 'hunter2-age');
      assert.equal((await resolveIssues(files, sources(theirs))).length, 1);
      assert.equal((await resolveIssues(files, NO_SECRET_SOURCES)).length, 1);
    });

    it('a tampered ciphertext', async () => {
      const lines = armored.split('\n');
      const last = lines.length - 3; // the last base64 line, before the footer and the final newline
      lines[last] = `${lines[last]!.slice(0, 4) === 'AAAA' ? 'BBBB' : 'AAAA'}${lines[last]!.slice(4)}`;
      const files = { 'c.yaml': configDoc(`  data:\n${block('PASS', lines.join('\n'))}`) };
      const [issue] = await resolveIssues(files, sources(ours));
      assert.equal(
        issue,
        'c.yaml:8:11 spec.data.PASS: cannot decrypt age value: corrupt or altered ciphertext (invalid tag)',
      );
    });

    it('a missing variable and a missing secrets dir, together', async () => {
      const files = {
        'c.yaml': configDoc('  dataFrom:\n    TOKEN: { env: BOSUN_SECRET_TOKEN }\n    KEY: { file: db/key }\n'),
      };
      assert.deepEqual(await resolveIssues(files, NO_SECRET_SOURCES), [
        'c.yaml:8:12 spec.dataFrom.TOKEN: environment variable BOSUN_SECRET_TOKEN is not set on the controller',
        'c.yaml:9:10 spec.dataFrom.KEY: cannot read secret file "db/key": no secrets directory given (--secrets-dir or BOSUN_SECRETS_DIR)',
      ]);
    });
  });

  describe('load errors, before any key is needed', () => {
    it('corrupt armor', () => {
      const broken = armored.replace(/\n([A-Za-z0-9+/]{10})/, '\n $1');
      assert.deepEqual(issuesOf({ 'c.yaml': configDoc(`  data:\n${block('PASS', broken)}`) }), [
        'c.yaml:8:11 spec.data.PASS: cannot decrypt age value: invalid armor (invalid line length)',
      ]);
    });

    it('dataFrom entries that break the schema', () => {
      const rest = [
        '  dataFrom:\n',
        '    HOME: { env: HOME }\n',
        '    ESCAPE: { file: ../etc/passwd }\n',
        '    ABS: { file: /etc/shadow }\n',
        '    BOTH: { env: BOSUN_SECRET_B, file: b }\n',
        '    MIDDLE: { file: a/../../b }\n',
        '    DOTS: { file: ..hidden/x }\n',
      ].join('');
      assert.deepEqual(issuesOf({ 'c.yaml': configDoc(rest) }), [
        'c.yaml:8:18 spec.dataFrom.HOME.env: must name a variable starting with BOSUN_SECRET_ (no other variable of the controller is read)',
        `c.yaml:9:21 spec.dataFrom.ESCAPE.file: must be a path relative to the controller's --secrets-dir, without ".."`,
        `c.yaml:10:18 spec.dataFrom.ABS.file: must be a path relative to the controller's --secrets-dir, without ".."`,
        'c.yaml:11:11 spec.dataFrom.BOTH: must set exactly one of ageFile, env, file',
        `c.yaml:12:21 spec.dataFrom.MIDDLE.file: must be a path relative to the controller's --secrets-dir, without ".."`,
      ]);
    });

    it('a key set both in data and in dataFrom', () => {
      const rest = '  data:\n    TWICE: plain\n  dataFrom:\n    TWICE: { env: BOSUN_SECRET_A }\n';
      assert.deepEqual(issuesOf({ 'c.yaml': configDoc(rest) }), [
        'c.yaml:10:12 spec.dataFrom.TWICE: is also set in spec.data',
      ]);
    });

    it('ageFile that is missing, not age, or outside the folder', () => {
      const rest = [
        '  dataFrom:\n',
        '    GONE: { ageFile: nope.age }\n',
        '    PLAIN: { ageFile: plain.txt }\n',
        '    OUT: { ageFile: ../../x.age }\n',
      ].join('');
      assert.deepEqual(issuesOf({ 'sub/c.yaml': configDoc(rest), 'sub/plain.txt': 'not secret\n' }), [
        'sub/c.yaml:8:22 spec.dataFrom.GONE.ageFile: no file "nope.age" next to this manifest',
        'sub/c.yaml:9:23 spec.dataFrom.PLAIN.ageFile: "plain.txt" is not an age-encrypted file (encrypt it with bosun secret encrypt or age)',
        'sub/c.yaml:10:21 spec.dataFrom.OUT.ageFile: "../../x.age" is outside the manifests folder',
      ]);
    });
  });
});
