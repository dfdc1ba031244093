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
import { present, stackFiles } from '../helpers/stack.ts';
import { loadImage, startTlsEngine, TLS_HOST, TLS_PORT, type TlsEngine } from '../helpers/tls-engine.ts';

/** Environment that leaves only what each case sets: the runner's own DOCKER_* must not leak in. */
const CLEAN = {
  DOCKER_HOST: '',
  DOCKER_TLS: '',
  DOCKER_TLS_VERIFY: '',
  DOCKER_CERT_PATH: '',
  DOCKER_CONFIG: '',
  DOCKER_CONTEXT: '',
};
const WHERE = `tcp://127.0.0.1:${TLS_PORT} (TLS, engine verified)`;

describe('Docker over TLS: a second real dockerd with --tlsverify, driven like the docker CLI', function () {
  this.timeout(180_000);
  const project = uniqueProject('dtls');
  const untouched = uniqueProject('dtls-err');
  let engine: TlsEngine;
  let server: GitServer;
  let repo: TestRepo;
  let errRepo: TestRepo;
  let tmp: string;

  const onTls = async (name: string) =>
    (await engine.docker.listContainers({ all: true, filters: { label: [`bosun.project=${name}`] } }))
      .map((c) => c.Labels['bosun.service'])
      .sort();
  const run = (args: string[], env: Record<string, string>, r = repo) =>
    bosun([...args, '--repo', r.url, '--state', `file:${tmp}/state`, '--cache-dir', tmp], { ...CLEAN, ...env });
  /** A reconcile of the untouched project that must fail with exactly `line` and change nothing. */
  const refused = async (env: Record<string, string>, line: string, args: string[] = []) => {
    const r = await run(['reconcile', ...args], env, errRepo);
    assert.equal(r.code, 1, r.stdout);
    assert.equal(r.stderr, `error: ${line}\n`);
    assert.deepEqual(await onTls(untouched), []);
    assert.deepEqual(await containerIds(untouched), {});
  };

  before(async () => {
    await ensureTestImages();
    engine = await startTlsEngine();
    await loadImage(IMAGE_V1);
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { webReplicas: 1, worker: false })));
    errRepo = await server.createRepo(untouched, present(stackFiles(untouched, { webReplicas: 1, worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'dtls-cli-'));
  });

  after(async () => {
    await engine?.stop();
    await cleanupProject(project);
    await cleanupProject(untouched);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  it('converges through DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, on that engine only', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.good };
    const r = await run(['reconcile'], env);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await onTls(project), ['api', 'web']);
    assert.deepEqual(await containerIds(project), {}, 'nothing on the main engine');
    const again = await run(['reconcile', '--dry-run', '--detailed-exitcode'], env);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.match(again.stdout, /no changes\./);
  });

  it('streams the engine events over TLS, so drift is seen there too', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.good };
    const backend = new DockerBackend(resolveDockerTarget({}, env, os.homedir()));
    const seen: string[] = [];
    const feed = await backend.watch(project, {
      event: (ev) => seen.push(`${ev.service} ${ev.action}`),
      lost: () => {},
    });
    try {
      const [web] = await engine.docker.listContainers({
        filters: { label: [`bosun.project=${project}`, 'bosun.service=web'] },
      });
      await engine.docker.getContainer(web.Id).kill();
      await until('the kill to arrive over TLS', async () => seen.includes('web die'), 20_000);
    } finally {
      feed.close();
    }
    const healed = await run(['reconcile'], env);
    assert.equal(healed.code, 0, healed.stderr);
    assert.match(healed.stdout, /web-1/);
  });

  it('takes the docker CLI flags over the environment', async () => {
    const c = engine.certs;
    const flags = ['--docker-host', TLS_HOST, '--docker-tlsverify', '--docker-tlscacert', `${c.root}/ca.pem`];
    const files = ['--docker-tlscert', `${c.good}/cert.pem`, '--docker-tlskey', `${c.good}/key.pem`];
    // the environment names the main engine and an empty cert path: the flags win over both
    const env = { DOCKER_HOST: 'unix:///var/run/docker.sock', DOCKER_CERT_PATH: c.empty };
    const r = await run(['reconcile', '--dry-run', '--detailed-exitcode', ...flags, ...files], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no changes\./);
  });

  it('with --docker-tls and no verify, talks TLS to an engine its CA does not vouch for, as docker --tls', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS: '1', DOCKER_CERT_PATH: engine.certs.wrongCa };
    const r = await run(['reconcile', '--dry-run', '--detailed-exitcode'], env);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /no changes\./);
  });

  it('says the engine wants a client certificate when none is given', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.noClient };
    await refused(
      env,
      `TLS to the Docker engine at ${WHERE} failed: the engine requires a client certificate and none was given ` +
        `(no ${engine.certs.noClient}/cert.pem; set DOCKER_CERT_PATH or --docker-tlscert/--docker-tlskey)`,
    );
  });

  it('says the engine is not signed by the CA when the CA is wrong', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.wrongCa };
    await refused(
      env,
      `TLS to the Docker engine at ${WHERE} failed: the engine's certificate is not signed by the CA in ` +
        `${engine.certs.wrongCa}/ca.pem (unknown authority)`,
    );
  });

  it('says the engine refused the client certificate when another CA signed it', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.foreignClient };
    await refused(
      env,
      `TLS to the Docker engine at ${WHERE} failed: the engine refused the client certificate ` +
        `${engine.certs.foreignClient}/cert.pem (sslv3 alert bad certificate)`,
    );
  });

  it('names the missing file when the cert path holds none, or a named key is missing', async () => {
    const env = { DOCKER_HOST: TLS_HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: engine.certs.empty };
    await refused(env, `cannot read the Docker TLS CA certificate ${engine.certs.empty}/ca.pem: no such file`);
    const good = { ...env, DOCKER_CERT_PATH: engine.certs.good };
    const missing = `${engine.certs.empty}/key.pem`;
    await refused(good, `cannot read the Docker TLS client key ${missing}: no such file`, ['--docker-tlskey', missing]);
  });

  it('never talks plain HTTP to the TLS port: says the engine speaks TLS', async () => {
    await refused(
      { DOCKER_HOST: TLS_HOST },
      `TLS to the Docker engine at tcp://127.0.0.1:${TLS_PORT} failed: the engine speaks TLS; ` +
        'set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (or --docker-tlsverify)',
    );
  });

  it('refuses to guess the engine when docker would use a context from its config.json', async () => {
    const config = path.join(tmp, 'docker-config');
    await fs.mkdir(config, { recursive: true });
    await fs.writeFile(path.join(config, 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    await refused(
      { DOCKER_CONFIG: config },
      'the docker CLI would use context "remote" (currentContext in the docker config.json), which bosun does not ' +
        'read: name the engine with DOCKER_HOST or --docker-host (docker context inspect remote shows it)',
    );
  });

  it('refuses https:// hosts with a one-line E_DOCKER_HOST error, as the docker CLI refuses them', async () => {
    await refused(
      {},
      `--docker-host "https://127.0.0.1:${TLS_PORT}" is not a Docker host: use tcp://HOST:PORT with ` +
        'DOCKER_TLS_VERIFY=1 or --docker-tlsverify (the docker CLI does not accept https://)',
      ['--docker-host', `https://127.0.0.1:${TLS_PORT}`],
    );
  });
});
