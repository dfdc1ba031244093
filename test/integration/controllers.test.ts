import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, docker, ensureTestImages, IMAGE_V1, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { startEtcdCluster } from '../helpers/etcd-cluster.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';

const HTTPD = `[sh, -c, "exec httpd -f -p 80 -h /www"]`;

function stack(project: string, o: { image: string; web: boolean }): Record<string, string | null> {
  const svc = (name: string, body: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n${body}  stopGracePeriod: 1s\n`;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'web.yaml': o.web
      ? svc(
          'web',
          `  image: ${o.image}\n  replicas: 2\n  command: ${HTTPD}\n  ports: [ { container: 80 } ]\n  healthcheck: { cmd: [wget, -q, -O, /dev/null, http://127.0.0.1/], interval: 300ms, retries: 3 }\n`,
        )
      : null,
    'idle.yaml': svc(
      'idle',
      `  image: ${o.image}\n  command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]\n`,
    ),
  };
}

describe('many bosun serve processes on one etcd', function () {
  this.timeout(180_000);
  const project = uniqueProject('ha');
  let server: GitServer;
  let repo: TestRepo;
  let kv: KvStore;
  let cache: string;
  const serves: ServeProcess[] = [];

  before(async () => {
    await Promise.all([ensureTestImages(), requireEtcd()]);
    server = await startGitServer();
    repo = await server.createRepo(project, stack(project, { image: IMAGE_V1, web: true }) as Record<string, string>);
    kv = await openStore(ETCD_URL);
    cache = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-ha-'));
  });
  after(async () => {
    for (const s of serves) await s.stop('SIGKILL');
    await cleanupProject(project);
    for (const prefix of [`/bosun/${project}/`]) for (const e of await kv.list(prefix)) await kv.delete(e.key);
    await kv?.close();
    await server?.close();
    await fs.rm(cache, { recursive: true, force: true });
  });

  const endpoints = async () =>
    (await kv.list(`/bosun/${project}/endpoints/`)).map((e) => ({
      key: e.key,
      ...(JSON.parse(e.value) as { port: number; container: string }),
    }));
  const leaders = async () => {
    const live = serves.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
    return (await Promise.all(live.map(async (s) => ({ s, st: await status(s) }))))
      .filter((x) => x.st.leader)
      .map((x) => x.s);
  };

  it('elects exactly one leader, which converges and publishes each healthy replica', async () => {
    for (let i = 0; i < 3; i++) {
      serves.push(
        await startServe([
          '--repo',
          repo.url,
          '--ref',
          'main',
          '--state',
          ETCD_URL,
          '--cache-dir',
          path.join(cache, String(i)),
          '--poll',
          '*/2 * * * * *',
        ]),
      );
    }
    const [leader] = await waitFor(
      'one leader',
      async () => ((await leaders()).length === 1 ? leaders() : undefined),
      20_000,
    );
    await waitFor(
      'release 1 applied',
      async () => ((await status(leader)).applied?.release === 1 ? true : undefined),
      30_000,
      leader,
    );
    assert.equal((await leaders()).length, 1);
    const eps = await waitFor(
      '2 endpoints',
      async () => ((await endpoints()).length === 2 ? endpoints() : undefined),
      15_000,
    );
    for (const ep of eps) {
      const info = await docker.getContainer(ep.container).inspect();
      assert.equal(
        String(ep.port),
        info.NetworkSettings.Ports['80/tcp']?.[0]?.HostPort,
        `${ep.key} publishes the container's host port`,
      );
      assert.equal(await (await fetch(`http://127.0.0.1:${ep.port}/`)).text(), `ok ${IMAGE_V1}\n`);
    }
  });

  it('kill -9 the leader: another takes over and converges the next push', async () => {
    const [old] = await leaders();
    const sha = await repo.commit(stack(project, { image: IMAGE_V2, web: true }));
    await old.stop('SIGKILL');
    const [next] = await waitFor(
      'a new leader',
      async () => {
        const l = await leaders();
        return l.length === 1 && l[0] !== old ? l : undefined;
      },
      20_000,
    );
    const applied = await waitFor(
      'the push converged',
      async () => {
        const st = await status(next);
        return st.applied && st.lastAttempt?.revision === sha && st.applied.release >= 2 ? st.applied : undefined;
      },
      40_000,
      next,
    );
    assert.ok(applied.release >= 2);
    const images = (await docker.listContainers({ filters: { label: [`bosun.project=${project}`] } })).map(
      (c) => c.Image,
    );
    assert.ok(
      images.every((i) => i === IMAGE_V2),
      images.join(' '),
    );
  });

  it('endpoints go when the service is removed, and expire when every controller is SIGKILLed', async () => {
    await repo.commit(stack(project, { image: IMAGE_V2, web: false }));
    await waitFor('web endpoints removed', async () => ((await endpoints()).length === 0 ? true : undefined), 40_000);
    await repo.commit(stack(project, { image: IMAGE_V2, web: true }));
    await waitFor('web endpoints back', async () => ((await endpoints()).length === 2 ? true : undefined), 40_000);
    for (const s of serves) await s.stop('SIGKILL');
    const started = Date.now();
    await waitFor('endpoints expired', async () => ((await endpoints()).length === 0 ? true : undefined), 20_000);
    console.log(`      endpoints expired ${Date.now() - started} ms after SIGKILL of every controller`);
  });
});

describe('a 3-member etcd cluster with one member down', function () {
  this.timeout(120_000);
  it('reconcile still succeeds and records its release', async () => {
    await ensureTestImages();
    const cluster = await startEtcdCluster();
    const server = await startGitServer();
    const project = uniqueProject('quorum');
    try {
      const repo = await server.createRepo(
        project,
        stack(project, { image: IMAGE_V1, web: false }) as Record<string, string>,
      );
      await cluster.stop(await cluster.leader());
      const r = await bosun([
        'reconcile',
        '--repo',
        repo.url,
        '--state',
        cluster.url,
        '--cache-dir',
        path.join(os.tmpdir(), `bosun-${project}`),
      ]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /release 1 succeeded/);
    } finally {
      await cleanupProject(project);
      await server.close();
      await cluster.close();
      await fs.rm(path.join(os.tmpdir(), `bosun-${project}`), { recursive: true, force: true });
    }
  });
});
