import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BosunError, formatIssue, ManifestError } from '../../src/errors.ts';
import { BUILT_IN_DENY } from '../../src/policy/defaults.ts';
import { judgeHostPath } from '../../src/policy/host-paths.ts';
import { loadPolicy, parsePolicy } from '../../src/policy/load.ts';
import { realHostPath } from '../../src/policy/real-path.ts';

/** The issues of a policy text that must be refused, as the user reads them. */
function refused(text: string): string[] {
  try {
    parsePolicy('policy.yaml', text);
  } catch (err) {
    assert.ok(err instanceof ManifestError, String(err));
    assert.equal(err.code, 'E_POLICY_INVALID');
    return err.issues.map(formatIssue);
  }
  assert.fail('expected the policy to be refused');
}

describe('host policy file', () => {
  it('points at an unknown key', () => {
    assert.deepEqual(refused('hostPaths:\n  allow: [/srv]\n  alow: [/x]\n'), [
      'policy.yaml:3:3 hostPaths.alow: is not a policy key',
    ]);
  });

  it('points at a relative path and a bad memory quantity, every problem at once', () => {
    assert.deepEqual(refused('hostPaths:\n  allow:\n    - /srv\n    - srv/data\nlimits: { maxMemory: lots }\n'), [
      'policy.yaml:4:7 hostPaths.allow[1]: must be an absolute path without ".." segments',
      'policy.yaml:5:22 limits.maxMemory: must be a number of bytes or a quantity like 512Mi or 2Gi',
    ]);
  });

  it('reports broken YAML at its place', () => {
    const issues = refused('images:\n  allow: [a, b\n');
    assert.equal(issues.length, 1, issues.join('\n'));
    assert.match(issues[0]!, /^policy\.yaml:3:1 /);
  });

  it('merges the file over the default, its deny entries added to the built-in ones', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pol-load-'));
    const file = path.join(dir, 'policy.yaml');
    writeFileSync(file, 'hostPaths:\n  allow: [/srv/data]\n  deny: [/srv/data/keys]\nlimits:\n  maxMemory: 1Gi\n');
    const p = loadPolicy(file, { bosunPaths: ['/var/lib/bosun'] });
    assert.equal(p.file, file);
    assert.deepEqual(p.fromFile, ['hostPaths.allow', 'hostPaths.deny', 'limits.maxMemory']);
    assert.deepEqual(p.policy.hostPaths.allow, ['/srv/data']);
    assert.deepEqual(p.policy.hostPaths.deny, [...BUILT_IN_DENY, '/srv/data/keys', '/var/lib/bosun'].sort());
    assert.equal(p.policy.limits.maxMemoryBytes, 2 ** 30);
    assert.deepEqual(p.policy.images.allow, ['**']);
    assert.equal(p.policy.privileged, false);
    rmSync(dir, { recursive: true });
  });

  it('git.verify: key files read when the policy is loaded; a missing or keyless one is refused at its entry', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sig-pol-'));
    const pub = path.join(dir, 'k.pub');
    const blob = Buffer.concat([
      Buffer.from([0, 0, 0, 11]),
      Buffer.from('ssh-ed25519'),
      Buffer.from([0, 0, 0, 32]),
      Buffer.alloc(32, 7),
    ]);
    writeFileSync(pub, `ssh-ed25519 ${blob.toString('base64')} ops@host\n`);
    writeFileSync(path.join(dir, 'empty.asc'), 'nothing here\n');
    const file = path.join(dir, 'policy.yaml');
    writeFileSync(file, `git:\n  verify:\n    ssh: [${pub}]\n`);
    const p = loadPolicy(file);
    assert.deepEqual(p.fromFile, ['git.verify']);
    assert.deepEqual(
      p.policy.git.verify?.ssh.map((k) => [k.file, k.identity, k.fingerprint.startsWith('SHA256:')]),
      [[pub, 'ops@host', true]],
    );
    assert.deepEqual(
      refused(`git:\n  verify:\n    openpgp:\n      - ${dir}/empty.asc\n    ssh:\n      - ${dir}/gone.pub\n`),
      [
        `policy.yaml:4:9 git.verify.openpgp[0]: key file ${dir}/empty.asc holds no armored OpenPGP public key (gpg --armor --export)`,
        `policy.yaml:6:9 git.verify.ssh[0]: key file ${dir}/gone.pub cannot be read (ENOENT)`,
      ],
    );
    assert.deepEqual(refused('git:\n  verify:\n    ssh: [keys.pub]\n'), [
      'policy.yaml:3:11 git.verify.ssh[0]: must be an absolute path without ".." segments',
    ]);
    rmSync(dir, { recursive: true });
  });

  it('a missing file is one clear error', () => {
    assert.throws(
      () => loadPolicy('/nonexistent/pol-policy.yaml'),
      (err: unknown) =>
        err instanceof BosunError &&
        err.code === 'E_POLICY_INVALID' &&
        err.message.startsWith('policy file /nonexistent/pol-policy.yaml cannot be read: ENOENT'),
    );
  });

  it('a symlink on the host into a denied folder is judged where it leads (real file system)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pol-link-'));
    symlinkSync('/proc', path.join(dir, 'link'));
    symlinkSync('/', path.join(dir, 'root'));
    mkdirSync(path.join(dir, 'plain'));
    const rules = loadPolicy(undefined).policy.hostPaths;
    assert.deepEqual(judgeHostPath(`${dir}/link/self`, rules, realHostPath), {
      allowed: false,
      rule: 'hostPaths.deny',
      denied: '/proc',
      contains: false,
    });
    assert.equal(judgeHostPath(`${dir}/root/etc`, rules, realHostPath).allowed, false);
    assert.equal(judgeHostPath(`${dir}/root/../root`, rules, realHostPath).allowed, false);
    assert.equal(judgeHostPath(`${dir}/plain/not-yet/there`, rules, realHostPath).allowed, true);
    rmSync(dir, { recursive: true });
  });
});
