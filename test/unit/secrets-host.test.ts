import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { BosunError } from '../../src/errors.ts';
import { newIdentityFile } from '../../src/secrets/age.ts';
import { hostSecrets } from '../../src/secrets/host.ts';

/** The controller host's side: a real temp dir, real files and symlinks. */
describe('host secrets: identity file, secrets dir, BOSUN_SECRET_* variables', () => {
  let root: string;
  let dir: string;

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-age-host-'));
    dir = path.join(root, 'secrets');
    await fs.mkdir(path.join(dir, 'db'), { recursive: true });
    await fs.writeFile(path.join(dir, 'db', 'password'), 'pw-from-file\n');
    await fs.writeFile(path.join(root, 'outside'), 'host-only');
    await fs.symlink(path.join(root, 'outside'), path.join(dir, 'escape'));
    await fs.symlink('db/password', path.join(dir, 'alias'));
    await fs.writeFile(path.join(dir, 'binary'), Buffer.from([0xff, 0xfe, 0x00]));
  });

  after(() => fs.rm(root, { recursive: true, force: true }));

  const reason = async (p: Promise<string>) =>
    p.then(
      (v) => `read: ${v}`,
      (e: Error) => e.message,
    );

  it('reads files inside the dir, following symlinks that stay inside', async () => {
    const s = await hostSecrets({ secretsDir: dir, env: {} });
    assert.equal(await s.readFile('db/password'), 'pw-from-file\n');
    assert.equal(await s.readFile('alias'), 'pw-from-file\n');
  });

  it('refuses what leads out of the dir, and says why without the contents', async () => {
    const s = await hostSecrets({ secretsDir: dir, env: {} });
    assert.equal(await reason(s.readFile('escape')), 'it leads outside the secrets dir (symlink)');
    assert.equal(await reason(s.readFile('../outside')), 'outside the secrets dir');
    assert.equal(await reason(s.readFile('db/missing')), 'no such file in the secrets dir');
    assert.equal(await reason(s.readFile('db')), 'not a regular file');
    assert.equal(await reason(s.readFile('binary')), 'not UTF-8 text');
  });

  it('reads only BOSUN_SECRET_* variables', async () => {
    const s = await hostSecrets({ env: { BOSUN_SECRET_A: 'a', HOME: '/root' } });
    assert.equal(s.env('BOSUN_SECRET_A'), 'a');
    assert.equal(s.env('HOME'), undefined);
    assert.equal(await reason(s.readFile('x')), 'no secrets directory given (--secrets-dir or BOSUN_SECRETS_DIR)');
  });

  it('loads an identity file as keygen writes it, with its recipient', async () => {
    const made = await newIdentityFile(new Date(0));
    const file = path.join(root, 'id.txt');
    await fs.writeFile(file, made.text, { mode: 0o600 });
    const s = await hostSecrets({ identityFile: file, env: {} });
    assert.deepEqual(s.age.recipients, [made.recipient]);
    assert.equal(s.age.identities.length, 1);
  });

  it('refuses an unusable identity file or dir at once, E_SECRET_SOURCE, never echoing a key', async () => {
    const bad = path.join(root, 'bad-id.txt');
    await fs.writeFile(bad, '# comment\nAGE-SECRET-KEY-1NOTAKEY\n');
    const cases: [Parameters<typeof hostSecrets>[0], string][] = [
      [{ identityFile: path.join(root, 'none'), env: {} }, `cannot read the age identity file ${root}/none: ENOENT`],
      [{ identityFile: bad, env: {} }, `age identity file ${bad}: line 2 is not a valid age identity`],
      [
        { identityFile: path.join(dir, 'db', 'password'), env: {} },
        `age identity file ${dir}/db/password: line 1 is not an age identity (AGE-SECRET-KEY-…)`,
      ],
      [
        { secretsDir: path.join(root, 'outside'), env: {} },
        `cannot use the secrets dir ${root}/outside: not a directory`,
      ],
      [{ secretsDir: path.join(root, 'nodir'), env: {} }, `cannot use the secrets dir ${root}/nodir: ENOENT`],
    ];
    for (const [opts, message] of cases) {
      await assert.rejects(hostSecrets(opts), (err: unknown) => {
        assert.ok(err instanceof BosunError);
        assert.equal(err.code, 'E_SECRET_SOURCE');
        assert.equal(err.message, message);
        return true;
      });
    }
  });
});
