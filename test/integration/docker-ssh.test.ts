import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DockerBackend } from '../../src/backends/docker/index.ts';
import { resolveDockerTarget } from '../../src/backends/docker/host.ts';
import { bosun } from '../helpers/cli.ts';
import { until } from '../helpers/engine.ts';
import { cleanupProject, containerIds, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { startSshd, type TestSshd } from '../helpers/sshd.ts';
import { present, stackFiles } from '../helpers/stack.ts';
import { loadImage, startTlsEngine, TLS_SOCKET, type TlsEngine } from '../helpers/tls-engine.ts';

const CLEAN = {
  DOCKER_HOST: '',
  DOCKER_TLS: '',
  DOCKER_TLS_VERIFY: '',
  DOCKER_CERT_PATH: '',
  DOCKER_CONFIG: '',
  DOCKER_CONTEXT: '',
};

/**
 * ssh:// as the docker CLI does it: the system ssh runs `docker system dial-stdio` on the remote
 * side. The "remote" is a real sshd on 127.0.0.1 whose sessions point docker at the second engine
 * (the TLS test engine, through its own unix socket), so a silent fall back to the local engine
 * cannot pass.
 */
describe('Docker over ssh://: the system ssh and a real sshd, to a second engine', function () {
  this.timeout(180_000);
  const project = uniqueProject('dssh');
  const untouched = uniqueProject('dssh-err');
  let engine: TlsEngine;
  let sshd: TestSshd;
  let server: GitServer;
  let repo: TestRepo;
  let errRepo: TestRepo;
  let tmp: string;

  const onRemote = async (name: string) =>
    (await engine.docker.listContainers({ all: true, filters: { label: [`bosun.project=${name}`] } }))
      .map((c) => c.Labels['bosun.service'])
      .sort();
  const run = (args: string[], sshPath: string, r = repo, host = `ssh://root@127.0.0.1:${sshd.port}`) =>
    bosun([...args, '--repo', r.url, '--state', `file:${tmp}/state`, '--cache-dir', tmp], {
      ...CLEAN,
      DOCKER_HOST: host,
      PATH: `${sshPath}:${process.env.PATH}`,
    });
  const refused = async (sshPath: string, line: RegExp, host?: string) => {
    const r = await run(['reconcile'], sshPath, errRepo, host);
    assert.equal(r.code, 1, r.stdout);
    assert.match(r.stderr, line);
    assert.equal(r.stderr.split('\n').length, 2, r.stderr);
    assert.deepEqual(await onRemote(untouched), []);
    assert.deepEqual(await containerIds(untouched), {});
  };

  before(async () => {
    await ensureTestImages();
    engine = await startTlsEngine();
    await loadImage(IMAGE_V1);
    sshd = await startSshd(`unix://${TLS_SOCKET}`);
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { webReplicas: 1, worker: false })));
    errRepo = await server.createRepo(untouched, present(stackFiles(untouched, { webReplicas: 1, worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dssh-cli-'));
  });

  after(async () => {
    await sshd?.stop();
    await engine?.stop();
    await cleanupProject(project);
    await cleanupProject(untouched);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('converges through DOCKER_HOST=ssh://root@127.0.0.1:PORT, on the remote engine only', async () => {
    const r = await run(['reconcile'], sshd.pathGood);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await onRemote(project), ['api', 'web']);
    assert.deepEqual(await containerIds(project), {}, 'nothing on the local engine');
    const again = await run(['reconcile', '--dry-run', '--detailed-exitcode'], sshd.pathGood);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /no changes\./);
  });

  it('streams the engine events through ssh, so drift is seen there too', async () => {
    const env = { DOCKER_HOST: `ssh://root@127.0.0.1:${sshd.port}`, PATH: `${sshd.pathGood}:${process.env.PATH}` };
    const backend = new DockerBackend(resolveDockerTarget({}, env, os.homedir()));
    const seen: string[] = [];
    const saved = process.env.PATH;
    process.env.PATH = env.PATH; // the ssh child is spawned with this process's PATH
    try {
      const feed = await backend.watch(project, {
        event: (ev) => seen.push(`${ev.service} ${ev.action}`),
        lost: () => {},
      });
      try {
        const [web] = await engine.docker.listContainers({
          filters: { label: [`bosun.project=${project}`, 'bosun.service=web'] },
        });
        await engine.docker.getContainer(web.Id).kill();
        await until('the kill to arrive through ssh', async () => seen.includes('web die'), 20_000);
      } finally {
        feed.close();
      }
    } finally {
      process.env.PATH = saved;
    }
    const healed = await run(['reconcile'], sshd.pathGood);
    assert.equal(healed.code, 0, healed.stderr);
    assert.match(healed.stdout, /web-1/);
  });

  it('refuses a host whose key is not in known_hosts, as ssh does, and prompts nobody', async () => {
    await refused(
      sshd.pathUnknownHost,
      new RegExp(
        `^error: ssh to the Docker engine at ssh://root@127\\.0\\.0\\.1:${sshd.port} failed: Host key verification failed\\.\\n$`,
      ),
    );
  });

  it('says the key was refused when the server does not know it', async () => {
    await refused(
      sshd.pathBadKey,
      new RegExp(
        `^error: ssh to the Docker engine at ssh://root@127\\.0\\.0\\.1:${sshd.port} failed: .*Permission denied \\(publickey\\)\\.\\n$`,
      ),
    );
  });

  it('calls a host where nothing listens unreachable (a retry), with ssh own words', async () => {
    const closed = `ssh://root@127.0.0.1:1`;
    await refused(
      sshd.pathGood,
      /^error: cannot reach the Docker engine at ssh:\/\/root@127\.0\.0\.1:1: ssh: connect to host 127\.0\.0\.1 port 1: Connection refused\n$/,
      closed,
    );
  });
});
