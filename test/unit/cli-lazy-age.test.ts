/**
 * age-encryption (and the @noble ciphers under it) loads only for a repo that holds age armor
 * (test/unit/cli-lazy.test.ts shows validate of a repo without any does not load it). Here: a
 * repo with an armored value loads it and validates as before, and a broken block is still a
 * located load error, in the same words.
 */
import assert from 'node:assert/strict';
import { readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encryptArmored, newIdentityFile } from '../../src/secrets/age.ts';
import { committedRepo, copyExample, MODES, modulesLoaded, packagesIn, type Outcome } from '../helpers/module-log.ts';

const AGE = ['age-encryption', '@noble/ciphers'];

/** The example's api Config with one more key, `PASS`, holding `armored` (its block at line 14, column 11). */
async function withSealedPass(dir: string, name: string, armored: string): Promise<void> {
  await copyExample(dir, name);
  const file = path.join(dir, name, 'config/api.yaml');
  const block = armored
    .trimEnd()
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
  await writeFile(file, `${await readFile(file, 'utf8')}\n    PASS: |\n${block}\n`);
}

describe('CLI start-up loads age only for a repo with age values', function () {
  this.timeout(120_000);

  let repo: string;
  let identity: string;
  before(async () => {
    const id = await newIdentityFile(new Date(0));
    const armored = await encryptArmored('hunter2', [id.recipient]);
    // a space inside the base64 makes the armor invalid, as in test/unit/secrets-load.test.ts
    const broken = armored.replace(/\n([A-Za-z0-9+/]{10})/, '\n $1');
    repo = await committedRepo(async (dir) => {
      await writeFile(path.join(dir, 'id.txt'), id.text);
      await withSealedPass(dir, 'sealed', armored);
      await withSealedPass(dir, 'broken', broken);
    });
    identity = path.join(repo, 'id.txt');
  });
  after(() => rm(repo, { recursive: true, force: true }));

  for (const [mode, env] of MODES) {
    it(`validate (${mode}) of a repo with an age value loads age and opens the value`, async () => {
      const out: Outcome = { code: -1, stdout: '', stderr: '' };
      const args = ['validate', '--repo', repo, '--path', 'sealed', '--age-identity', identity, '-o', 'json'];
      const modules = await modulesLoaded(args, env, out);
      assert.equal(out.code, 0, out.stderr);
      const api = JSON.parse(out.stdout).desired.configs.find((c: { name: string }) => c.name === 'api');
      assert.equal(api.secret, true);
      assert.ok('PASS' in api.data, JSON.stringify(api.data));
      assert.deepEqual(packagesIn(modules, AGE), AGE);
    });

    it(`validate (${mode}) of a broken armor block: a load error at file:line:col, as before`, async () => {
      const out: Outcome = { code: -1, stdout: '', stderr: '' };
      await modulesLoaded(['validate', '--repo', repo, '--path', 'broken', '--age-identity', identity], env, out);
      assert.equal(out.code, 1);
      assert.equal(
        out.stderr,
        'error: 1 manifest error:\n' +
          'broken/config/api.yaml:14:11 spec.data.PASS: cannot decrypt age value: invalid armor (invalid line length)\n',
      );
    });
  }
});
