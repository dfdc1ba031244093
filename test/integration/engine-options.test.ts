import { strict as assert } from 'node:assert';
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
  projectContainers,
  uniqueProject,
} from '../helpers/docker.ts';
import { startGitServer, type GitServer } from '../helpers/git-server.ts';

const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
const HINT = (rule: string) =>
  `is not allowed by the host policy (built-in default: ${rule}); allow it in --policy FILE`;

const OPTIONS = (hostname: string) => `  labels: { team: shop }
  options:
    hostname: ${hostname}
    init: true
    tty: true
    readOnlyRootfs: true
    tmpfs: [ { target: /run, size: 1Mi, mode: 0o1777 } ]
    stopSignal: usr1
    capAdd: [ chown ]
    capDrop: [ NET_RAW ]
    sysctls: { net.core.somaxconn: 1024 }
    ulimits: { nofile: { soft: 1024, hard: 2048 } }
    extraHosts: [ "db.local:10.0.0.2" ]
    dns: [ 10.0.0.53 ]
    dnsSearch: [ svc.local ]
    shmSize: 8Mi
    logging: { driver: json-file, options: { max-size: 1m } }
    expose: [ { port: 9000 } ]
`;

/**
 * The engine's refusal of a privileged container, or undefined when it runs one: an engine
 * that itself runs without every capability (in a container, as here) cannot.
 */
async function privilegedRefusal(): Promise<string | undefined> {
  const c = await docker.createContainer({ Image: IMAGE_V1, Cmd: ['true'], HostConfig: { Privileged: true } });
  try {
    await c.start();
    return undefined;
  } catch (err) {
    return (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
  } finally {
    await c.remove({ force: true });
  }
}

function serviceFile(name: string, extra = ''): string {
  return `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  image: ${IMAGE_V1}\n  command: ${IDLE}\n  stopGracePeriod: 1s\n${extra}`;
}

/** Issue 13: spec.options on the real engine, and the host policy over the options with power over the host. */
describe('container options on the engine (docker + git over HTTP + embedded store)', function () {
  this.timeout(600_000);
  let server: GitServer;
  let tmp: string;
  const projects: string[] = [];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-opts-'));
  });
  after(async () => {
    for (const p of projects) await cleanupProject(p);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  async function repoOf(project: string, content: Record<string, string>) {
    projects.push(project);
    const repo = await server.createRepo(project, content);
    const flags = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/${project}/state`];
    return { repo, flags: [...flags, '--cache-dir', `${tmp}/${project}/cache`] };
  }

  async function inspectOf(project: string, service: string) {
    const c = (await projectContainers(project)).find((x) => x.Labels['bosun.service'] === service);
    assert.ok(c, `a container of ${service}`);
    return docker.getContainer(c.Id).inspect();
  }

  it('converges a service with many options, each set on the container; changing one replaces that service only', async () => {
    const project = uniqueProject('opts');
    const { repo, flags } = await repoOf(project, {
      'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
      'web.yaml': serviceFile('web', OPTIONS('opt-web')),
      'plain.yaml': serviceFile('plain'),
    });
    const first = await bosun(['reconcile', ...flags]);
    assert.equal(first.code, 0, first.stdout + first.stderr);
    const info = await inspectOf(project, 'web');
    assert.equal(info.State.Running, true);
    assert.deepEqual(
      [
        info.Config.Hostname,
        info.Config.Tty,
        (info.Config as { StopSignal?: string }).StopSignal,
        info.Config.Labels.team,
      ],
      ['opt-web', true, 'SIGUSR1', 'shop'],
    );
    assert.deepEqual(info.Config.ExposedPorts, { '9000/tcp': {} });
    const h = info.HostConfig as typeof info.HostConfig & Record<string, unknown>;
    assert.deepEqual([h.Init, h.ReadonlyRootfs, h.CapAdd, h.CapDrop], [true, true, ['CHOWN'], ['NET_RAW']]);
    assert.deepEqual(h.Tmpfs, { '/run': 'size=1048576,mode=1777' });
    assert.deepEqual(h.Sysctls, { 'net.core.somaxconn': '1024' });
    assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(
      [h.ExtraHosts, h.Dns, h.DnsSearch, h.ShmSize],
      [['db.local:10.0.0.2'], ['10.0.0.53'], ['svc.local'], 8 * 2 ** 20],
    );
    assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
    const plain = await inspectOf(project, 'plain');
    assert.deepEqual([Boolean(plain.HostConfig.Init), plain.HostConfig.ReadonlyRootfs], [false, false]);

    const before = await containerIds(project);
    await repo.commit({ 'web.yaml': serviceFile('web', OPTIONS('opt-web2')) }, 'hostname');
    const second = await bosun(['reconcile', ...flags]);
    assert.equal(second.code, 0, second.stdout + second.stderr);
    assert.match(second.stdout, /0 to create, 1 to replace, 0 to remove/);
    assert.match(
      second.stdout,
      /~ replace container t-opts-[0-9a-f]+-web-1 \(\S+\) — options\.hostname opt-web → opt-web2\n/,
    );
    const after = await containerIds(project);
    assert.deepEqual(after.plain, before.plain, 'the other service is untouched');
    assert.notDeepEqual(after.web, before.web, 'web was replaced');
    assert.equal((await inspectOf(project, 'web')).Config.Hostname, 'opt-web2');
  });

  it('privileged and capAdd beyond the default set: refused at file:line:col with nothing created, passed to the engine when a policy allows them', async () => {
    const project = uniqueProject('opts-priv');
    const root = '  options:\n    privileged: true\n    capAdd: [ SYS_ADMIN, CHOWN ]\n';
    const { repo, flags } = await repoOf(project, {
      'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
      'root.yaml': serviceFile('root', root),
    });
    const expected = [
      'error: 2 host policy violations:',
      `root.yaml:10:17 spec.options.privileged: privileged mode ${HINT('privileged')}`,
      `root.yaml:11:15 spec.options.capAdd[0]: capability SYS_ADMIN ${HINT('capabilities.allow')}`,
      '',
    ].join('\n');
    for (const verb of ['validate', 'reconcile']) {
      const r = await bosun([verb, ...flags]);
      assert.equal(r.code, 1, r.stdout + r.stderr);
      assert.equal(r.stderr, expected, verb);
    }
    assert.deepEqual(await projectContainers(project), [], 'nothing was created');
    const releases = await bosun(['releases', ...flags, '-o', 'json']);
    assert.deepEqual(JSON.parse(releases.stdout), [], 'no release was recorded');

    const policy = path.join(tmp, `${project}-policy.yaml`);
    await fs.writeFile(policy, 'privileged: true\ncapabilities:\n  allow: [ SYS_ADMIN, NET_ADMIN ]\n');
    const allowed = await bosun(['reconcile', ...flags, '--policy', policy]);
    const refusal = await privilegedRefusal();
    if (refusal === undefined) {
      assert.equal(allowed.code, 0, allowed.stdout + allowed.stderr);
      const info = await inspectOf(project, 'root');
      assert.deepEqual([info.State.Running, info.HostConfig.Privileged], [true, true]);
    } else {
      // this engine cannot start any privileged container (`docker run --privileged` fails the
      // same way): bosun asked it for one, and reports the engine's own words
      assert.equal(allowed.code, 1, allowed.stdout + allowed.stderr);
      assert.ok(allowed.stderr.includes(refusal), allowed.stderr);
    }

    await repo.commit({ 'root.yaml': serviceFile('root', '  options:\n    capAdd: [ SYS_ADMIN, NET_ADMIN ]\n') });
    const ok = await bosun(['reconcile', ...flags, '--policy', policy]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const info = await inspectOf(project, 'root');
    assert.equal(info.State.Running, true);
    assert.deepEqual([info.HostConfig.Privileged, info.HostConfig.CapAdd], [false, ['NET_ADMIN', 'SYS_ADMIN']]);
  });

  it('compose: privileged refused at the compose line; a BuildKit-only Dockerfile is a warning, not an error', async () => {
    const project = uniqueProject('opts-compose');
    const compose = `name: ${project}\nservices:\n  web:\n    build: ./web\n    command: ${IDLE}\n  root:\n    image: ${IMAGE_V1}\n    privileged: true\n`;
    const { flags } = await repoOf(project, {
      'compose.yaml': compose,
      'web/Dockerfile': `FROM ${IMAGE_V1}\nRUN --mount=type=tmpfs,target=/t true\n`,
    });
    const refused = await bosun(['reconcile', ...flags]);
    assert.equal(refused.code, 1, refused.stdout + refused.stderr);
    assert.equal(
      refused.stderr,
      `error: 1 host policy violation:\ncompose.yaml:8:17 services.root.privileged: privileged mode ${HINT('privileged')}\n`,
    );
    assert.deepEqual(await projectContainers(project), [], 'nothing was created');

    const policy = path.join(tmp, `${project}-policy.yaml`);
    await fs.writeFile(policy, 'privileged: true\n');
    const warning =
      "warning: web/Dockerfile:2:5 RUN --mount needs BuildKit: bosun runs the build of web on the engine's BuildKit; an engine without it, or whose Dockerfile frontend lacks it, fails it at apply, before anything is replaced\n";
    const valid = await bosun(['validate', ...flags, '--policy', policy]);
    assert.equal(valid.code, 0, valid.stdout + valid.stderr);
    assert.equal(valid.stderr, warning);
    const dry = await bosun(['reconcile', '--dry-run', ...flags, '--policy', policy]);
    assert.equal(dry.code, 0, dry.stdout + dry.stderr);
    assert.equal(dry.stdout.split(warning.replace('warning:', '! warning:')).length, 2, 'warned once per pass');
  });
});
