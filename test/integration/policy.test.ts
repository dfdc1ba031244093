import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { bosun } from '../helpers/cli.ts';
import {
  cleanupProject,
  containerIds,
  docker,
  ensureTestImages,
  IMAGE_V1,
  IMAGE_V2,
  projectContainers,
  uniqueProject,
} from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';
import { startServe, status, waitFor } from '../helpers/serve.ts';

const DENY = 'is not allowed by the host policy (built-in default: hostPaths.deny); allow it in --policy FILE';
const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/** A Project and one Service `web`; `extra` is YAML lines under spec. */
function files(project: string, extra = '', image = IMAGE_V1): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
    'web.yaml': `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  image: ${image}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n${extra}`,
  };
}

/** Issue 12 item 1: the host policy, with real Docker, a git server over HTTP and the embedded store. */
describe('host policy (docker + git over HTTP + embedded store)', function () {
  this.timeout(120_000);
  let server: GitServer;
  let tmp: string;
  const projects: string[] = [];
  const hostDir = `/srv/pol-data-${randomBytes(3).toString('hex')}`;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-pol-'));
  });
  after(async () => {
    for (const p of projects) await cleanupProject(p);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
    await fs.rm(hostDir, { recursive: true, force: true });
  });

  /** A repo named for the test's project (removed after), with its own state and cache. */
  async function repoOf(project: string, name: string, content: Record<string, string>) {
    projects.push(project);
    const repo = await server.createRepo(project, content);
    const flags = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/${name}/state`];
    return { project, repo, flags: [...flags, '--cache-dir', `${tmp}/${name}/cache`] };
  }

  async function policyFile(name: string, text: string): Promise<string> {
    const file = path.join(tmp, `${name}.yaml`);
    await fs.writeFile(file, text);
    return file;
  }

  it('refuses mounts of the Docker socket, / and /proc with the default policy: every one at file:line:col, no container', async () => {
    const project = uniqueProject('pol-deny');
    const mounts = [
      '  volumes:',
      '    - { hostPath: /var/run/docker.sock, target: /var/run/docker.sock }',
      '    - { hostPath: /, target: /host }',
      '    - hostPath: /proc/self',
      '      target: /p',
      '',
    ].join('\n');
    const { flags } = await repoOf(project, 'deny', files(project, mounts));
    const expected = [
      'error: 3 host policy violations:',
      `web.yaml:10:19 spec.volumes[0].hostPath: host path /var/run/docker.sock ${DENY}`,
      `web.yaml:11:19 spec.volumes[1].hostPath: host path / (it contains /boot) ${DENY}`,
      `web.yaml:12:17 spec.volumes[2].hostPath: host path /proc/self (/proc) ${DENY}`,
      '',
    ].join('\n');
    for (const verb of ['validate', 'reconcile']) {
      const r = await bosun([verb, ...flags]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stderr, expected, verb);
    }
    assert.deepEqual(await projectContainers(project), [], 'no container was created');
    const releases = await bosun(['releases', ...flags, '-o', 'json']);
    assert.deepEqual(JSON.parse(releases.stdout), [], 'no release was recorded');
  });

  it('a policy file allowing /srv/data lets that mount run, and refuses what it does not list', async () => {
    const project = uniqueProject('pol-allow');
    const mount = `  volumes:\n    - { hostPath: ${hostDir}, target: /data }\n`;
    const { repo, flags } = await repoOf(project, 'allow', files(project, mount));
    const policy = await policyFile('allow', `hostPaths:\n  allow: [${hostDir}]\n`);
    await fs.mkdir(hostDir, { recursive: true }); // the engine refuses a bind source that does not exist
    const ok = await bosun(['reconcile', ...flags, '--policy', policy]);
    assert.equal(ok.code, 0, ok.stderr);
    const [c] = await projectContainers(project);
    assert.ok(c, 'the container runs');
    const info = await docker.getContainer(c.Id).inspect();
    assert.deepEqual(
      info.Mounts.map((m) => [m.Type, m.Source, m.Destination]),
      [['bind', hostDir, '/data']],
    );
    await repo.commit(files(project, `  volumes:\n    - { hostPath: ${tmp}, target: /data }\n`), 'mount tmp');
    const before = await containerIds(project);
    const r = await bosun(['reconcile', ...flags], { BOSUN_POLICY: policy });
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `error: 1 host policy violation:\nweb.yaml:10:19 spec.volumes[0].hostPath: host path ${tmp} is not allowed by the host policy (${policy}: hostPaths.allow)\n`,
    );
    assert.deepEqual(await containerIds(project), before, 'nothing changed');
  });

  it('re-running a release (rollback) is judged by the policy in force, at the release’s file:line:col', async () => {
    const project = uniqueProject('pol-rollback');
    const { repo, flags } = await repoOf(project, 'rollback', files(project));
    assert.equal((await bosun(['reconcile', ...flags])).code, 0);
    await repo.commit(files(project, '', IMAGE_V2), 'v2');
    assert.equal((await bosun(['reconcile', ...flags])).code, 0);
    const policy = await policyFile('only-v2', `images:\n  allow: ["${IMAGE_V2}"]\n`);
    const before = await containerIds(project);
    const r = await bosun(['rollback', '1', ...flags, '--policy', policy]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `error: 1 host policy violation:\nweb.yaml:6:10 spec.image: image ${IMAGE_V1} is not allowed by the host policy (${policy}: images.allow)\n`,
    );
    assert.deepEqual(await containerIds(project), before, 'nothing changed');
    const releases = JSON.parse((await bosun(['releases', ...flags, '-o', 'json'])).stdout) as unknown[];
    assert.equal(releases.length, 2, 'no release recorded');
  });

  it('a saved plan made under a looser policy is refused by bosun apply under the one in force', async () => {
    const project = uniqueProject('pol-apply');
    const { flags } = await repoOf(project, 'apply', files(project));
    const planFile = path.join(tmp, 'apply-plan.json');
    const made = await bosun(['reconcile', ...flags, '--dry-run', '--out', planFile]);
    assert.equal(made.code, 0, made.stderr);
    const policy = await policyFile('apply-only-v2', `images:\n  allow: ["${IMAGE_V2}"]\n`);
    const r = await bosun(['apply', planFile, ...flags, '--policy', policy]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(
      r.stderr,
      `error: 1 host policy violation:\nweb.yaml:6:10 spec.image: image ${IMAGE_V1} is not allowed by the host policy (${policy}: images.allow)\n`,
    );
    assert.deepEqual(await projectContainers(project), []);
  });

  it('bosun policy check prints the policy in force and judges a repo', async () => {
    const project = uniqueProject('pol-check');
    const { flags } = await repoOf(project, 'check', files(project, '  replicas: 3\n'));
    const policy = await policyFile('check', `limits:\n  maxReplicas: 2\nprivileged: false\n`);
    const shown = await bosun([
      'policy',
      'check',
      '--policy',
      policy,
      '--state',
      `file:${tmp}/check/state`,
      '-o',
      'json',
    ]);
    assert.equal(shown.code, 0, shown.stderr);
    const json = JSON.parse(shown.stdout);
    assert.equal(json.source, policy);
    assert.deepEqual(json.setByFile, ['limits.maxReplicas', 'privileged']);
    assert.deepEqual(json.policy.limits, { maxReplicas: 2 });
    assert.deepEqual(json.policy.hostPaths.allow, ['/']);
    for (const denied of ['/etc', '/proc', '/var/run/docker.sock', '/var/lib/docker', `${tmp}/check`])
      assert.ok(json.policy.hostPaths.deny.includes(denied), `${denied} is denied`);
    const engine = await bosun(['policy', 'check', '--docker-host', 'unix:///srv/pol-engine.sock', '-o', 'json']);
    assert.ok(JSON.parse(engine.stdout).policy.hostPaths.deny.includes('/srv/pol-engine.sock'), 'the engine socket');
    assert.deepEqual(
      JSON.parse(engine.stdout).policy.git,
      { refuseForcePush: false },
      'force-pushes applied by default',
    );
    const yaml = await bosun(['policy', 'check']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^source: built-in default\npolicy:\n {2}hostPaths:\n {4}allow:\n {6}- \/\n {4}deny:\n/);
    assert.match(yaml.stdout, /\n {2}git:\n {4}refuseForcePush: false\n/);
    const judged = await bosun(['policy', 'check', ...flags, '--policy', policy]);
    assert.equal(judged.code, 1);
    assert.equal(
      judged.stderr,
      `error: 1 host policy violation:\nweb.yaml:9:13 spec.replicas: 3 replicas are more than 2, the most allowed by the host policy (${policy}: limits.maxReplicas)\n`,
    );
    const passed = await bosun(['policy', 'check', ...flags]);
    assert.equal(passed.code, 0, passed.stderr);
    assert.match(passed.stderr, new RegExp(`^allowed: project ${project}, `));
  });

  it('a bad policy file is one error at file:line:col, and nothing runs', async () => {
    const project = uniqueProject('pol-bad');
    const { flags } = await repoOf(project, 'bad', files(project));
    const policy = await policyFile('bad', 'hostPaths:\n  allow: [/srv]\n  alow: [/x]\n');
    const r = await bosun(['reconcile', ...flags, '--policy', policy]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: 1 policy file error:\n${policy}:3:3 hostPaths.alow: is not a policy key\n`);
    assert.deepEqual(await projectContainers(project), []);
  });

  it('bosun serve refuses a revision mounting the Docker socket: the pass stalls, nothing runs, it keeps serving', async () => {
    const project = uniqueProject('pol-serve');
    const mount = '  volumes:\n    - { hostPath: /var/run/docker.sock, target: /s }\n';
    const { flags } = await repoOf(project, 'serve', files(project, mount));
    const s = await startServe([...flags, '--poll', '0 0 1 1 *'], { BOSUN_WEBHOOK_SECRET: '' });
    try {
      const st = await waitFor(
        'the start-up pass to stall',
        async () => {
          const x = await status(s);
          return x.lastAttempt?.result === 'stalled' ? x : undefined;
        },
        30_000,
        s,
      );
      assert.equal(st.lastAttempt!.error!.code, 'E_POLICY_DENIED');
      assert.equal(
        st.lastAttempt!.error!.message,
        `1 host policy violation:\nweb.yaml:10:19 spec.volumes[0].hostPath: host path /var/run/docker.sock ${DENY}`,
      );
      assert.deepEqual(await projectContainers(project), []);
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    } finally {
      await s.stop('SIGKILL');
    }
  });
});
