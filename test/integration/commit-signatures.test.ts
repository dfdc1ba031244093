import { strict as assert } from 'node:assert';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';
import { git, startGitServer, type GitServer } from '../helpers/git-server.ts';
import {
  makePgpKey,
  makeSshKey,
  type PgpKey,
  type SshKey,
  signedCommit,
  sshFingerprintOf,
} from '../helpers/signing.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

function manifests(project: string, level: string): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'web.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: web }\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n  env: { LEVEL: ${level} }\n`,
  };
}

/**
 * Host policy git.verify with real keys (gpg, ssh-keygen) and commits signed by real git,
 * served over smart HTTP, applied to the real engine by the real CLI.
 */
describe('commit signatures (integration: real gpg/ssh keys, real git over HTTP, real Docker, the CLI)', function () {
  this.timeout(180_000);
  let server: GitServer;
  let dir: string;
  let policy: string;
  let pgp: PgpKey;
  let ssh: SshKey;
  let stranger: SshKey;
  const projects: string[] = [];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    dir = await mkdtemp(join(tmpdir(), 'sig-int-'));
    [pgp, ssh, stranger] = await Promise.all([
      makePgpKey(dir, 'release@bosun.test'),
      makeSshKey(dir, 'ops'),
      makeSshKey(dir, 'stranger'),
    ]);
    const signers = join(dir, 'allowed_signers');
    await writeFile(signers, `ops@example.com ${await readFile(ssh.pub, 'utf8')}`);
    policy = join(dir, 'policy.yaml');
    await writeFile(policy, `git:\n  verify:\n    openpgp: [${pgp.file}]\n    ssh: [${signers}]\n`);
  });
  after(async () => {
    for (const p of projects) await cleanupProject(p);
    await server?.close();
    await rm(dir, { recursive: true, force: true });
    if (pgp) await rm(pgp.home, { recursive: true, force: true });
  });

  async function setup(name: string) {
    const project = uniqueProject(name);
    projects.push(project);
    const repo = await server.createRepo(`sig-${project}`, manifests(project, 'zero'));
    const tmp = await mkdtemp(join(dir, 'run-'));
    const flags = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    return { project, repo, flags: [...flags, '--policy', policy] };
  }

  it('applies commits signed by a trusted OpenPGP key, then a trusted SSH key; each release names its signer', async () => {
    const { project, repo, flags } = await setup('sig-ok');
    await signedCommit(repo.workdir, manifests(project, 'one'), pgp);
    const first = await bosun(['reconcile', ...flags]);
    assert.equal(first.code, 0, first.stderr);
    assert.deepEqual(Object.keys(await containerIds(project)), ['web']);
    const shown = await bosun(['releases', 'show', '1', '--project', project, ...flags]);
    assert.match(shown.stdout, new RegExp(`signed: +openpgp ${pgp.fingerprint} \\(bosun test <release@bosun.test>\\)`));

    await signedCommit(repo.workdir, manifests(project, 'two'), ssh);
    const second = await bosun(['reconcile', ...flags]);
    assert.equal(second.code, 0, second.stderr);
    const json = JSON.parse(
      (await bosun(['releases', 'show', '2', '--project', project, '-o', 'json', ...flags])).stdout,
    );
    assert.deepEqual(json.signer, {
      type: 'ssh',
      fingerprint: await sshFingerprintOf(ssh.pub),
      identity: 'ops@example.com',
    });
  });

  it('refuses an unsigned commit (E_COMMIT_UNSIGNED) before anything runs, dry-run and validate too', async () => {
    const { project, repo, flags } = await setup('sig-unsigned');
    const sha = await repo.head(); // createRepo's commit is unsigned
    for (const verb of [['reconcile'], ['reconcile', '--dry-run'], ['validate']]) {
      const r = await bosun([...verb, ...flags]);
      assert.equal(r.code, 1, `${verb.join(' ')}: ${r.stdout}`);
      assert.match(
        r.stderr,
        new RegExp(
          `commit ${sha.slice(0, 12)} at main is not signed; the host policy requires a signature by one of: OpenPGP ${pgp.fingerprint}, SSH SHA256:\\S+ \\(ops@example.com\\)`,
        ),
      );
    }
    assert.deepEqual(await containerIds(project), {});
  });

  it('refuses a commit signed by a key the policy does not list, naming the signer (E_COMMIT_UNTRUSTED)', async () => {
    const { project, repo, flags } = await setup('sig-untrusted');
    await signedCommit(repo.workdir, manifests(project, 'one'), stranger);
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1);
    const fp = (await sshFingerprintOf(stranger.pub)).replace(/[+/]/g, '\\$&');
    assert.match(
      r.stderr,
      new RegExp(
        `is signed by SSH key ${fp}, which the host policy does not trust \\(committer bosun-test <test@bosun.invalid>\\)`,
      ),
    );
    assert.deepEqual(await containerIds(project), {});
  });

  it('refuses a trusted signature over tampered content (E_COMMIT_SIGNATURE_INVALID)', async () => {
    const { project, repo, flags } = await setup('sig-tampered');
    await signedCommit(repo.workdir, manifests(project, 'one'), pgp, false);
    const raw = await git(repo.workdir, 'cat-file', 'commit', 'HEAD');
    // the same signed header over a different tree: the evil manifests, the good signature
    await writeFile(join(repo.workdir, 'web.yaml'), manifests(project, 'evil')['web.yaml']!);
    await git(repo.workdir, 'add', '-A');
    const tree = await git(repo.workdir, 'write-tree');
    const forgedPath = join(dir, `${project}.commit`);
    await writeFile(forgedPath, `${raw.replace(/^tree [0-9a-f]+/, `tree ${tree}`)}\n`);
    const forged = await git(repo.workdir, 'hash-object', '-t', 'commit', '-w', forgedPath);
    await git(repo.workdir, 'push', '--quiet', '--force', 'origin', `${forged}:refs/heads/main`);
    const r = await bosun(['reconcile', ...flags]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      new RegExp(
        `commit ${forged.slice(0, 12)} at main has an invalid signature: OpenPGP key ${pgp.fingerprint} did not sign this commit's content`,
      ),
    );
    assert.deepEqual(await containerIds(project), {});
  });

  it('bosun apply of a saved plan made without the policy is refused for an unsigned commit; policy check shows the keys', async () => {
    const { project, repo, flags } = await setup('sig-apply');
    const noPolicy = flags.slice(0, -2);
    const planFile = join(dir, `${project}.plan.json`);
    const made = await bosun(['reconcile', ...noPolicy, '--dry-run', '--out', planFile]);
    assert.equal(made.code, 0, made.stderr);
    const r = await bosun(['apply', planFile, ...flags]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^error: commit ${(await repo.head()).slice(0, 12)} at main is not signed;`));
    assert.deepEqual(await containerIds(project), {});
    const shown = JSON.parse((await bosun(['policy', 'check', '--policy', policy, '-o', 'json'])).stdout);
    assert.deepEqual(shown.setByFile, ['git.verify']);
    assert.deepEqual(shown.policy.git.verify.openpgp, [{ file: pgp.file, fingerprint: pgp.fingerprint }]);
    assert.equal(shown.policy.git.verify.ssh[0].identity, 'ops@example.com');
  });

  it('bosun serve stalls on an unsigned commit (E_COMMIT_UNSIGNED), then applies the signed one pushed after it', async () => {
    const { project, repo, flags } = await setup('sig-serve');
    const s = await startServe([...flags, '--poll', '*/1 * * * * *'], { BOSUN_WEBHOOK_SECRET: '' });
    try {
      const st = await waitFor(
        'the unsigned pass to stall',
        async () => {
          const x = await status(s);
          return x.lastAttempt?.result === 'stalled' ? x : undefined;
        },
        30_000,
        s,
      );
      assert.equal(st.lastAttempt!.error!.code, 'E_COMMIT_UNSIGNED');
      assert.deepEqual(await containerIds(project), {});
      const signed = await signedCommit(repo.workdir, manifests(project, 'one'), ssh);
      await waitFor(
        'the signed commit applied',
        async () => ((await status(s)).applied?.revision === signed ? true : undefined),
        60_000,
        s,
      );
      assert.deepEqual(Object.keys(await containerIds(project)), ['web']);
    } finally {
      await s.stop('SIGKILL');
    }
  });
});
