import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { startElection } from '../../src/coord/election.ts';
import { EndpointPublisher, type Endpoint } from '../../src/coord/endpoints.ts';
import { acquireApplyLock } from '../../src/coord/lock.ts';
import { localDocker } from '../helpers/session.ts';
import { BosunError, Codes } from '../../src/errors.ts';
import type { KvStore } from '../../src/ports.ts';
import { EtcdKv } from '../../src/store/etcd/index.ts';
import type { EtcdAccess } from '../../src/store/etcd/access.ts';
import { openStore } from '../../src/store/open.ts';
import { cleanupProject, docker, ensureTestImages, IMAGE_V1, uniqueProject } from '../helpers/docker.ts';
import { startEtcdCluster, type EtcdCluster } from '../helpers/etcd-cluster.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { secureEtcds } from '../helpers/etcd-secure.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const TTL_MS = 2_000; // etcd's shortest lease with default timings
const SLACK_MS = 3_000; // timers run late on a loaded 2-core machine
const src = (p: string) => JSON.stringify(pathToFileURL(join(ROOT, 'src', p)).href);

/** Runs in a child node (with tsx) so that it can be SIGKILLed like a crashed controller. */
const CHILD_PRELUDE = `
import { openStore } from ${src('store/open.ts')};
import { acquireApplyLock } from ${src('coord/lock.ts')};
import { startElection } from ${src('coord/election.ts')};
import { EndpointPublisher } from ${src('coord/endpoints.ts')};
const kv = await openStore(process.env.STATE_URL, JSON.parse(process.env.STATE_ACCESS));
const project = process.env.PROJECT;
setInterval(() => {}, 60_000);
`;

class Child {
  private readonly proc: ChildProcess;
  private output = '';
  private readonly exited: Promise<void>;

  constructor(target: Target, project: string, body: string) {
    const args = ['--import', 'tsx', '--input-type=module', '-e', CHILD_PRELUDE + body];
    const env = {
      ...process.env,
      STATE_URL: target.url,
      STATE_ACCESS: JSON.stringify(target.access),
      PROJECT: project,
    };
    this.proc = spawn(process.execPath, args, { cwd: ROOT, env });
    this.proc.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((done) => this.proc.once('exit', () => done()));
  }

  async waitFor(line: string, ms = 20_000): Promise<void> {
    await waitUntil(
      () => this.output.includes(line),
      ms,
      () => `child never printed "${line}":\n${this.output}`,
    );
  }

  /** Resolves after the exit is reaped, so the pid no longer exists. */
  async kill(): Promise<void> {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
    await this.exited;
  }
}

async function waitUntil(check: () => boolean | Promise<boolean>, ms: number, what: () => string): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) assert.fail(what());
    await sleep(20);
  }
  return Date.now() - start;
}

async function rejection(p: Promise<unknown>): Promise<BosunError> {
  const err = await p.then(
    () => assert.fail('expected a rejection'),
    (e: unknown) => e,
  );
  assert.ok(err instanceof BosunError, String(err));
  return err;
}

const tempDirs: string[] = [];
after(() => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

interface Target {
  url: string;
  access: EtcdAccess;
}
interface Backend {
  name: string;
  kind: 'etcd' | 'file';
  target(): Promise<Target>;
}
const backends: Backend[] = [
  { name: 'etcd', kind: 'etcd', target: async () => (await requireEtcd(), { url: ETCD_URL, access: {} }) },
  {
    name: 'file',
    kind: 'file',
    target: async () => {
      const dir = mkdtempSync(join(tmpdir(), 'bosun-coord-'));
      tempDirs.push(dir);
      return { url: `file:${join(dir, 'state')}`, access: {} };
    },
  },
  // the same leases, watches and transactions through TLS, and through etcd's auth and permissions
  { name: 'etcd over TLS with a client certificate', kind: 'etcd', target: async () => (await secureEtcds()).mtls },
  { name: 'etcd over TLS as a restricted user', kind: 'etcd', target: async () => (await secureEtcds()).auth },
];

for (const backend of backends) {
  describe(`coordination on ${backend.name}`, () => {
    let target: Target;
    let kv: KvStore;
    let project: string;
    const children: Child[] = [];
    const cleanups: (() => Promise<unknown>)[] = [];
    const child = (body: string) => {
      const c = new Child(target, project, body);
      children.push(c);
      return c;
    };

    before(async () => {
      target = await backend.target();
      kv = await openStore(target.url, target.access);
    });
    after(async () => kv?.close());
    beforeEach(() => (project = uniqueProject('coord')));
    afterEach(async () => {
      await Promise.all(children.splice(0).map((c) => c.kill()));
      for (const clean of cleanups.splice(0)) await clean().catch(() => undefined);
      for (const e of await kv.list(`/bosun/${project}/`)) await kv.delete(e.key);
    });

    describe('apply lock', () => {
      it('makes a second acquirer wait, and hands the lock over on release', async () => {
        const t0 = performance.now();
        const first = await acquireApplyLock(kv, project, 'first', { waitMs: 0 });
        const acquireMs = performance.now() - t0;
        let settled = false;
        const waiting = acquireApplyLock(kv, project, 'second', { waitMs: 10_000 }).finally(() => (settled = true));
        await sleep(300);
        assert.equal(settled, false, 'the second acquirer got the lock while the first held it');
        const released = performance.now();
        await first.release();
        const second = await waiting;
        const handoverMs = performance.now() - released;
        assert.equal(second.holder, 'second');
        assert.ok(handoverMs < 1_000, `hand-over took ${handoverMs} ms`);
        console.log(
          `      (${backend.name}: acquire ${acquireMs.toFixed(1)} ms, hand-over ${handoverMs.toFixed(1)} ms)`,
        );
        await second.release();
        await acquireApplyLock(kv, project, 'third', { waitMs: 0 }).then((l) => l.release());
      });

      it('gives up after waitMs with E_LOCKED naming the holder', async () => {
        const holder = await acquireApplyLock(kv, project, 'bosun@host-a:42', { waitMs: 0 });
        cleanups.push(() => holder.release());
        const t0 = Date.now();
        const err = await rejection(acquireApplyLock(kv, project, 'other', { waitMs: 400 }));
        assert.ok(Date.now() - t0 >= 400, 'did not wait');
        assert.equal(err.code, Codes.locked);
        assert.equal(err.disposition, 'busy');
        assert.equal(err.message, `another apply is running, held by bosun@host-a:42 since ${holder.since}`);
      });

      it('lets 50 concurrent acquirers in one at a time', async () => {
        let inside = 0;
        let most = 0;
        let done = 0;
        await Promise.all(
          Array.from({ length: 50 }, async (_, i) => {
            const lock = await acquireApplyLock(kv, project, `worker-${i}`, { waitMs: 50_000 });
            most = Math.max(most, ++inside);
            await sleep(2);
            inside--;
            done++;
            await lock.release();
          }),
        );
        assert.equal(done, 50);
        assert.equal(most, 1, `${most} holders at once`);
      });

      it('frees the lock of a SIGKILLed holder (etcd: when its lease expires; file: its pid is gone)', async () => {
        const holder = child(
          `await acquireApplyLock(kv, project, 'child-holder', { waitMs: 0, ttlMs: ${TTL_MS} }); console.log('locked');`,
        );
        await holder.waitFor('locked');
        const err = await rejection(acquireApplyLock(kv, project, 'parent', { waitMs: 0 }));
        assert.match(err.message, /held by child-holder since/);
        await holder.kill();
        const t0 = Date.now();
        const lock = await acquireApplyLock(kv, project, 'parent', { waitMs: TTL_MS + 5_000 });
        const freedMs = Date.now() - t0;
        await lock.release();
        console.log(`      (${backend.name}: lock of a SIGKILLed holder free after ${freedMs} ms, TTL ${TTL_MS} ms)`);
        assert.ok(freedMs < TTL_MS + SLACK_MS, `took ${freedMs} ms`);
        // on etcd the key outlives the holder until the lease runs out: a lower bound proves it
        if (backend.kind === 'etcd')
          assert.ok(freedMs > TTL_MS / 2, `freed after ${freedMs} ms, before the lease could expire`);
        else assert.ok(freedMs < TTL_MS / 2, `took ${freedMs} ms although the holder's pid was gone`);
      });

      it('release() leaves alone a lock that someone else holds now', async () => {
        const lock = await acquireApplyLock(kv, project, 'old', { waitMs: 0, ttlMs: TTL_MS });
        const key = `/bosun/${project}/lock`;
        const foreign = JSON.stringify({
          holder: 'new',
          since: 'now',
          expiresAt: Date.now() + 60_000,
          host: 'elsewhere',
          pid: 1,
          token: 't',
        });
        await kv.put(key, foreign);
        await lock.release();
        assert.equal((await kv.get(key))?.value, foreign);
      });

      if (backend.kind === 'file') {
        it('takes over a holder on another host only after its expiry', async () => {
          const record = {
            holder: 'far-away',
            since: 'then',
            expiresAt: Date.now() + 1_500,
            host: 'other-host.invalid',
            pid: 1,
            token: 'x',
          };
          await kv.put(`/bosun/${project}/lock`, JSON.stringify(record));
          assert.match(
            (await rejection(acquireApplyLock(kv, project, 'near', { waitMs: 0 }))).message,
            /held by far-away/,
          );
          const lock = await acquireApplyLock(kv, project, 'near', { waitMs: 5_000 });
          const waited = Date.now() - (record.expiresAt - 1_500);
          await lock.release();
          assert.ok(waited >= 1_500 && waited < 1_500 + SLACK_MS, `acquired ${waited} ms after the record was written`);
        });

        it('judges a holder by its pid only in the same host name and pid namespace', async () => {
          const deadPid = {
            holder: 'ghost',
            since: 'then',
            expiresAt: Date.now() + 60_000,
            host: hostname(),
            pid: 2 ** 22 + 1,
            token: 'g',
          };
          await kv.put(`/bosun/${project}/lock`, JSON.stringify({ ...deadPid, pidns: 'pid:[1]' }));
          assert.match((await rejection(acquireApplyLock(kv, project, 'me', { waitMs: 0 }))).message, /held by ghost/);
          await kv.put(
            `/bosun/${project}/lock`,
            JSON.stringify({ ...deadPid, pidns: readlinkSync('/proc/self/ns/pid') }),
          );
          await acquireApplyLock(kv, project, 'me', { waitMs: 0 }).then((l) => l.release());
        });
      }

      it('aborts the holder’s signal when its lock is lost', async () => {
        const lock = await acquireApplyLock(kv, project, 'holder', { waitMs: 0, ttlMs: TTL_MS });
        cleanups.push(() => lock.release());
        assert.equal(lock.signal.aborted, false);
        if (kv instanceof EtcdKv) {
          const [entry] = (await kv.etcd.getAll().prefix(`/bosun/${project}/lock`).exec()).kvs;
          await kv.etcd.leaseClient.leaseRevoke({ ID: entry!.lease });
        } else {
          await kv.put(
            `/bosun/${project}/lock`,
            JSON.stringify({
              holder: 'thief',
              since: 'now',
              expiresAt: Date.now() + 60_000,
              host: 'x',
              pid: 1,
              token: 'y',
            }),
          );
        }
        await waitUntil(
          () => lock.signal.aborted,
          TTL_MS + 2 * SLACK_MS,
          () => 'signal never aborted',
        );
        assert.equal((lock.signal.reason as BosunError).code, Codes.lockLost);
      });
    });

    describe('leader election', () => {
      it('elects exactly one of three candidates, and replaces a SIGKILLed leader within the TTL', async () => {
        const leaderChild = child(
          `await startElection(kv, project, 'child', { ttlMs: ${TTL_MS}, onChange: (l) => l && console.log('leading') });`,
        );
        await leaderChild.waitFor('leading');
        const seen: Record<'a' | 'b', [boolean, string | undefined][]> = { a: [], b: [] };
        const join = async (name: 'a' | 'b') => {
          const h = await startElection(kv, project, name, {
            ttlMs: TTL_MS,
            onChange: (l, who) => seen[name].push([l, who]),
          });
          cleanups.push(() => h.resign());
          return h;
        };
        const a = await join('a');
        const b = await join('b');
        await waitUntil(
          () => [seen.a, seen.b].every((s) => s.at(-1)?.[1] === 'child'),
          5_000,
          () => JSON.stringify(seen),
        );
        assert.equal(a.isLeader() || b.isLeader(), false);
        assert.equal(await a.leader(), 'child');

        await leaderChild.kill();
        const failoverMs = await waitUntil(
          () => a.isLeader() || b.isLeader(),
          TTL_MS + 5_000,
          () => 'nobody took over',
        );
        console.log(`      (${backend.name}: new leader ${failoverMs} ms after SIGKILL of the old, TTL ${TTL_MS} ms)`);
        assert.ok(failoverMs < TTL_MS + SLACK_MS, `failover took ${failoverMs} ms`);
        const [winner, loser, loserName] = a.isLeader() ? [a, b, 'b' as const] : [b, a, 'a' as const];
        assert.equal(loser.isLeader(), false);
        const winnerName = winner === a ? ('a' as const) : ('b' as const);
        assert.equal(await loser.leader(), winnerName);
        await waitUntil(
          () => seen[loserName].at(-1)?.[1] === winnerName,
          3_000,
          () => JSON.stringify(seen),
        );

        await winner.resign();
        await waitUntil(
          () => loser.isLeader(),
          3_000,
          () => 'the last candidate was not elected after a resign',
        );
        assert.deepEqual(seen[winnerName].at(-1), [false, undefined]);
      });
    });

    describe('endpoints', () => {
      const web1: Endpoint = {
        service: 'web',
        replica: 1,
        host: '127.0.0.1',
        port: 8081,
        container: 'p-web-1',
        release: 3,
      };
      const web2: Endpoint = {
        service: 'web',
        replica: 2,
        host: '127.0.0.1',
        port: 8082,
        container: 'p-web-2',
        release: 3,
      };
      const api1: Endpoint = { service: 'api', replica: 1, host: '10.0.0.5', port: 80, container: 'p-api-1' };
      const published = async () =>
        Object.fromEntries(
          (await kv.list(`/bosun/${project}/endpoints/`)).map((e) => [
            e.key.split('/endpoints/')[1],
            JSON.parse(e.value),
          ]),
        );

      it('publishes, changes and removes endpoints, and withdraws them on close', async () => {
        const publisher = new EndpointPublisher(kv, project, { ttlMs: TTL_MS });
        cleanups.push(() => publisher.close());
        await publisher.sync([web1, web2, api1]);
        assert.deepEqual(await published(), {
          'api/1': { host: '10.0.0.5', port: 80, container: 'p-api-1' },
          'web/1': { host: '127.0.0.1', port: 8081, container: 'p-web-1', release: 3 },
          'web/2': { host: '127.0.0.1', port: 8082, container: 'p-web-2', release: 3 },
        });
        await publisher.sync([{ ...web1, port: 9091, release: 4 }, api1]);
        assert.deepEqual(Object.keys(await published()), ['api/1', 'web/1']);
        assert.deepEqual((await published())['web/1'], {
          host: '127.0.0.1',
          port: 9091,
          container: 'p-web-1',
          release: 4,
        });
        if (kv instanceof EtcdKv) {
          const leases = (await kv.etcd.getAll().prefix(`/bosun/${project}/endpoints/`).exec()).kvs.map((k) => k.lease);
          assert.equal(new Set(leases).size, 1, 'one lease for every endpoint');
          assert.notEqual(leases[0], '0');
        }
        await publisher.sync([api1]);
        assert.deepEqual(Object.keys(await published()), ['api/1']);
        await publisher.close();
        assert.deepEqual(await published(), {});
      });

      it(
        backend.kind === 'etcd'
          ? 'lets the endpoints of a SIGKILLed publisher expire after the TTL'
          : 'keeps the endpoints of a SIGKILLed publisher (no expiry)',
        async () => {
          const publisher = child(
            `await new EndpointPublisher(kv, project, { ttlMs: ${TTL_MS} }).sync(${JSON.stringify([web1, api1])}); console.log('published');`,
          );
          await publisher.waitFor('published');
          assert.deepEqual(Object.keys(await published()), ['api/1', 'web/1']);
          await publisher.kill();
          if (backend.kind === 'file') {
            await sleep(TTL_MS);
            return assert.deepEqual(Object.keys(await published()), ['api/1', 'web/1']);
          }
          const goneMs = await waitUntil(
            async () => Object.keys(await published()).length === 0,
            TTL_MS + 5_000,
            () => 'endpoints never expired',
          );
          console.log(`      (etcd: endpoints of a SIGKILLed publisher gone after ${goneMs} ms, TTL ${TTL_MS} ms)`);
          assert.ok(goneMs < TTL_MS + SLACK_MS, `took ${goneMs} ms`);
        },
      );
    });
  });
}

describe('Docker back end endpoints (real Docker)', () => {
  const project = uniqueProject('endpoints');
  const backend = localDocker();
  before(ensureTestImages);
  after(() => cleanupProject(project));

  async function run(service: string, replica: number, extra: object): Promise<string> {
    const name = `${project}-${service}-${replica}`;
    const labels = {
      'bosun.project': project,
      'bosun.service': service,
      'bosun.replica': String(replica),
      'bosun.release': '7',
    };
    const cmd = [
      'sh',
      '-c',
      "trap 'exit 0' TERM; mkdir -p /www; echo ok > /www/index.html; httpd -p 80 -h /www; while true; do sleep 1; done",
    ];
    const c = await docker.createContainer({ name, Image: IMAGE_V1, Cmd: cmd, Labels: labels, ...extra });
    await c.start();
    return name;
  }
  const health = (test: string[]) => ({ Healthcheck: { Test: ['CMD', ...test], Interval: 200e6, Retries: 1 } });

  it('lists running, healthy replicas with their published port, or their network address', async () => {
    await run('web', 1, {
      ExposedPorts: { '80/tcp': {} },
      HostConfig: { PortBindings: { '80/tcp': [{ HostPort: '' }] } },
    });
    await run('api', 1, { ExposedPorts: { '80/tcp': {} }, ...health(['test', '-f', '/VERSION']) });
    await run('api', 2, { ExposedPorts: { '80/tcp': {} }, ...health(['false']) });
    await run('worker', 1, {}); // no port at all: nothing to publish
    const stopped = await run('web', 2, { ExposedPorts: { '80/tcp': {} } });
    await docker.getContainer(stopped).stop({ t: 1 });
    await waitUntil(
      async () => (await docker.getContainer(`${project}-api-2`).inspect()).State.Health?.Status === 'unhealthy',
      10_000,
      () => 'api-2 never unhealthy',
    );
    await waitUntil(
      async () => (await docker.getContainer(`${project}-api-1`).inspect()).State.Health?.Status === 'healthy',
      10_000,
      () => 'api-1 never healthy',
    );

    const web = await docker.getContainer(`${project}-web-1`).inspect();
    const api = await docker.getContainer(`${project}-api-1`).inspect();
    const found = await backend.endpoints(project);
    assert.deepEqual(found, [
      {
        service: 'api',
        replica: 1,
        host: api.NetworkSettings.Networks.bridge!.IPAddress,
        port: 80,
        container: `${project}-api-1`,
        id: api.Id,
        release: 7,
      },
      {
        service: 'web',
        replica: 1,
        host: '127.0.0.1',
        port: Number(web.NetworkSettings.Ports['80/tcp']![0]!.HostPort),
        container: `${project}-web-1`,
        id: web.Id,
        release: 7,
      },
    ]);
    const body = await (await fetch(`http://${found[1]!.host}:${found[1]!.port}/`)).text();
    assert.equal(body.trim(), 'ok');
  });
});

describe('a 3-member etcd cluster with one member down', () => {
  let cluster: EtcdCluster;
  const stores: KvStore[] = [];
  before(async function () {
    this.timeout(60_000);
    cluster = await startEtcdCluster();
  });
  after(async () => {
    for (const s of stores) await s.close();
    await cluster?.close();
  });
  const open = async (url: string) => {
    const kv = await openStore(url);
    stores.push(kv);
    return kv;
  };

  it('still serves openStore, put/get and the apply lock when the raft leader stops', async () => {
    const early = await open(cluster.url);
    await early.put('/bosun-test/cluster/a', '1');
    const down = await cluster.leader();
    const up = [0, 1, 2].filter((i) => i !== down);
    await cluster.stop(down);
    const kv = await open(cluster.url);
    await kv.put('/bosun-test/cluster/b', '2');
    assert.equal((await kv.get('/bosun-test/cluster/a'))?.value, '1');
    assert.equal((await early.get('/bosun-test/cluster/b'))?.value, '2');
    const lock = await acquireApplyLock(kv, 'cluster-test', 'survivor', { waitMs: 5_000 });
    const other = await open(`etcd://${cluster.endpoints[up[1]!]}`);
    const err = await rejection(acquireApplyLock(other, 'cluster-test', 'late', { waitMs: 0 }));
    assert.match(err.message, /held by survivor/);
    await lock.release();
    await acquireApplyLock(other, 'cluster-test', 'late', { waitMs: 2_000 }).then((l) => l.release());
    await cluster.start(down);
    assert.equal((await (await open(`etcd://${cluster.endpoints[down]}`)).get('/bosun-test/cluster/b'))?.value, '2');
  });
});
