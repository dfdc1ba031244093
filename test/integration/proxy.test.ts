/**
 * `bosun proxy` in front of a start-first rolling update on one Docker engine: a client loop
 * sends requests through the proxy's local port the whole time, and none may fail. Real
 * Docker, real etcd, real haproxy, the real CLI for serve (the endpoint publisher), proxy and
 * reconcile (the rollout).
 */
import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, ensureTestImages, IMAGE_V1, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { clientLoop, expectNoLoss, freePort, get, type ProxyProcess, startProxy, stopProxy } from '../helpers/proxy.ts';
import { startServe, waitFor, type ServeProcess } from '../helpers/serve.ts';

// sh as PID 1 stops on SIGTERM (busybox httpd alone would ignore it and wait out the grace)
const HTTPD = `[sh, -c, "trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"]`;

function stack(project: string, image: string): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'web.yaml': [
      'apiVersion: bosun/v1',
      'kind: Service',
      'metadata: { name: web }',
      'spec:',
      `  image: ${image}`,
      '  replicas: 2',
      `  command: ${HTTPD}`,
      '  ports: [ { container: 80 } ]',
      // generous: on a loaded machine a probe can take seconds, and a timed-out probe would roll back
      '  healthcheck: { cmd: [wget, -q, -O, /dev/null, http://127.0.0.1/], interval: 500ms, timeout: 10s, retries: 10 }',
      '  update: { order: start-first, parallelism: 1, failureAction: rollback }',
      '  stopGracePeriod: 2s',
      '',
    ].join('\n'),
  };
}

describe('bosun proxy: a start-first rollout behind the local port (docker back end)', function () {
  this.timeout(300_000);
  const project = uniqueProject('px');
  let server: GitServer;
  let repo: TestRepo;
  let kv: KvStore;
  let tmp: string;
  let serve: ServeProcess | undefined;
  let proxy: ProxyProcess | undefined;

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    repo = await server.createRepo(project, stack(project, IMAGE_V1));
    kv = await openStore(ETCD_URL);
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-proxy-test-'));
  });
  after(async () => {
    await stopProxy(proxy);
    await serve?.stop();
    await cleanupProject(project);
    for (const e of await kv.list(`/bosun/${project}/`)) await kv.delete(e.key);
    await kv?.close();
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('loses no request while both replicas are replaced', async () => {
    // serve is the endpoint publisher; its own poll is far away so the rollout is reconcile's
    serve = await startServe([
      '--repo',
      repo.url,
      '--state',
      ETCD_URL,
      '--cache-dir',
      path.join(tmp, 'serve'),
      '--poll',
      '0 0 1 1 *',
    ]);
    const published = async () => (await kv.list(`/bosun/${project}/endpoints/web/`)).length;
    await waitFor('2 published endpoints', async () => ((await published()) === 2 ? true : undefined), 60_000, serve);

    const port = await freePort();
    // http: a request a stopping replica drops is retried on another (tcp can only retry connects)
    proxy = await startProxy([
      '--state',
      ETCD_URL,
      '--listen',
      `${project}/web=127.0.0.1:${port}`,
      '--mode',
      'http',
      '--run-dir',
      tmp,
    ]);
    assert.equal((await get(port)).trim(), `ok ${IMAGE_V1}`);

    const loop = clientLoop(port, 2);
    await new Promise((r) => setTimeout(r, 1_000));
    await repo.commit(stack(project, IMAGE_V2), 'web: v2');
    const rollout = await bosun([
      'reconcile',
      '--repo',
      repo.url,
      '--state',
      ETCD_URL,
      '--cache-dir',
      path.join(tmp, 'cli'),
    ]);
    assert.equal(rollout.code, 0, rollout.stderr + rollout.stdout);
    // the proxy follows the successors' endpoints; then a while on the new version alone
    await expectNoLoss(loop, { port, proxy, serve, v1: IMAGE_V1, v2: IMAGE_V2 });
    assert.ok(
      proxy.lines.some((l) => l.includes('Reloading HAProxy')),
      'haproxy was reloaded',
    );
    // the old containers are gone, and so are their drain markers once the publisher synced
    await waitFor(
      'markers pruned',
      async () => ((await kv.list(`/bosun/${project}/draining/`)).length === 0 ? true : undefined),
      20_000,
      serve,
    );
  });

  it('a missing haproxy binary is a clear typed error', async () => {
    const r = await bosun([
      'proxy',
      '--state',
      ETCD_URL,
      '--listen',
      `${project}/web=127.0.0.1:1`,
      '--haproxy',
      path.join(tmp, 'no-haproxy'),
    ]);
    assert.notEqual(r.code, 0);
    assert.equal(
      r.stderr,
      `error: haproxy ${path.join(tmp, 'no-haproxy')} is not an executable file: install it (Debian: apt-get install haproxy) or give its path with --haproxy <file>\n`,
    );
  });
});
