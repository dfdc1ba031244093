import { strict as assert } from 'node:assert';
import { DEFAULT_UPDATE, type ServiceSpec } from '../../src/model/desired.ts';
import { load, PROJECT, serviceDoc } from '../fixtures/manifests/helpers.ts';

const REPO = {
  'bosun.yaml': `${PROJECT}spec:\n  prune: false\n  update: { order: start-first, monitor: 10s }\n`,
  'services/web.yaml': `apiVersion: bosun/v1
kind: Service
metadata:
  name: web
spec:
  image: nginx:1.27
  replicas: 3
  env: { LOG_LEVEL: info, RATIO: 1.10, DEBUG: True, PORT: 8080 }
  envFrom: [ { config: web, prefix: WEB_ } ]
  ports: [ { container: 443 }, { container: 80, protocol: udp, hostIp: 127.0.0.1 } ]
  volumes: [ { volume: data, target: /data }, { hostPath: /etc/ssl, target: /certs, readOnly: true } ]
  networks: [ back, default, back ]
  healthcheck: { cmd: [ CMD, wget, -qO-, "http://127.0.0.1/" ], interval: 1m30s }
  dependsOn: [ db, cache, db ]
  update: { parallelism: 2, delay: 500ms }
  restart: on-failure
  resources: { memory: 256Mi, cpus: 0.5 }
  labels: { team: shop, app: web }
  stopGracePeriod: 1h
  user: "1000"
  workingDir: /srv
---
apiVersion: bosun/v1
kind: Service
metadata: { name: db }
spec: { image: postgres:16, resources: { memory: 512M } }
---
apiVersion: bosun/v1
kind: Service
metadata: { name: cache }
spec: { image: redis:7, networks: [back], resources: { memory: 8388608 } }
`,
  'config/web.yaml': `apiVersion: bosun/v1
kind: Config
metadata: { name: web }
spec:
  prefix: /shop/web/
  secret: false
  data: { LOG_LEVEL: info, FEATURES: { search: true, beta: [1, 2] }, max.conns: 10, empty: null }
---
apiVersion: bosun/v1
kind: Network
metadata: { name: back }
spec: { internal: true }
---
apiVersion: bosun/v1
kind: Volume
metadata: { name: data }
`,
};

const defaults = (name: string, image: string): ServiceSpec => ({
  name,
  image,
  replicas: 1,
  env: {},
  envFrom: [],
  ports: [],
  volumes: [],
  networks: ['default'],
  dependsOn: [],
  update: { ...DEFAULT_UPDATE, order: 'start-first', monitorMs: 10_000 },
  restart: 'unless-stopped',
  resources: {},
  labels: {},
  stopGracePeriodMs: 10_000,
});

describe('manifest loading', () => {
  const state = load(REPO);

  it('fills every default and keeps absent optional fields absent', () => {
    assert.deepEqual(
      state.services.find((s) => s.name === 'db'),
      { ...defaults('db', 'postgres:16'), resources: { memoryBytes: 512_000_000 } },
    );
    assert.ok(!('command' in state.services[0]!) && !('healthcheck' in state.services[0]!));
  });

  it('normalizes a fully specified service', () => {
    const web = state.services.find((s) => s.name === 'web');
    assert.deepEqual(web, {
      ...defaults('web', 'nginx:1.27'),
      replicas: 3,
      env: { DEBUG: 'True', LOG_LEVEL: 'info', PORT: '8080', RATIO: '1.10' },
      envFrom: [{ config: 'web', prefix: 'WEB_' }],
      ports: [
        { container: 80, protocol: 'udp', hostIp: '127.0.0.1' },
        { container: 443, protocol: 'tcp' },
      ],
      volumes: [
        { target: '/certs', hostPath: '/etc/ssl', readOnly: true },
        { target: '/data', volume: 'data', readOnly: false },
      ],
      networks: ['back', 'default'],
      healthcheck: {
        cmd: ['CMD', 'wget', '-qO-', 'http://127.0.0.1/'],
        intervalMs: 90_000,
        timeoutMs: 3000,
        retries: 3,
        startPeriodMs: 0,
      },
      dependsOn: ['cache', 'db'],
      update: { parallelism: 2, order: 'start-first', delayMs: 500, monitorMs: 10_000, failureAction: 'rollback' },
      restart: 'on-failure',
      resources: { memoryBytes: 256 * 1024 * 1024, cpus: 0.5 },
      labels: { app: 'web', team: 'shop' },
      stopGracePeriodMs: 3_600_000,
      user: '1000',
      workingDir: '/srv',
    });
    assert.deepEqual(Object.keys(web!.labels), ['app', 'team']);
  });

  it('normalizes the project, configs, networks and volumes, sorted by name', () => {
    assert.deepEqual(state.project, {
      name: 'shop',
      paths: [],
      prune: false,
      update: { ...DEFAULT_UPDATE, order: 'start-first', monitorMs: 10_000 },
    });
    assert.deepEqual(
      state.services.map((s) => s.name),
      ['cache', 'db', 'web'],
    );
    assert.deepEqual(state.configs, [
      {
        name: 'web',
        prefix: '/shop/web/',
        secret: false,
        data: { FEATURES: '{"beta":[1,2],"search":true}', LOG_LEVEL: 'info', empty: 'null', 'max.conns': '10' },
      },
    ]);
    assert.deepEqual(state.networks, [
      { name: 'back', driver: 'bridge', internal: true, labels: {} },
      { name: 'default', driver: 'bridge', internal: false, labels: {} },
    ]);
    assert.deepEqual(state.volumes, [{ name: 'data', driver: 'local', labels: {} }]);
  });

  it('records where each manifest starts', () => {
    assert.deepEqual(state.locations['Service/web'], { file: 'services/web.yaml', line: 1, col: 1 });
    assert.deepEqual(state.locations['Service/db'], { file: 'services/web.yaml', line: 23, col: 1 });
    assert.deepEqual(state.locations['Project/shop'], { file: 'bosun.yaml', line: 1, col: 1 });
    assert.equal(Object.keys(state.locations).filter((k) => !k.includes(':')).length, 7);
  });

  it('records where the fields the host policy judges were written', () => {
    const at = (key: string) => state.locations[key];
    assert.deepEqual(at('Service/web:image'), { file: 'services/web.yaml', line: 6, col: 10, path: 'spec.image' });
    assert.deepEqual(at('Service/web:mount:/certs'), {
      file: 'services/web.yaml',
      line: 11,
      col: 59,
      path: 'spec.volumes[1].hostPath',
    });
    assert.deepEqual(at('Service/db:replicas'), { file: 'services/web.yaml', line: 26, col: 7, path: 'spec' });
    assert.deepEqual(at('Project/shop:name'), { file: 'bosun.yaml', line: 4, col: 9, path: 'metadata.name' });
    assert.deepEqual(at('Config/web:prefix'), { file: 'config/web.yaml', line: 5, col: 11, path: 'spec.prefix' });
  });

  it('adds the implicit default network only when a service uses it', () => {
    const onlyBack = load({
      'a.yaml': `${serviceDoc('a', '  image: app:1\n  networks: [back]\n')}---\napiVersion: bosun/v1\nkind: Network\nmetadata: { name: back }\n`,
    });
    assert.deepEqual(
      onlyBack.networks.map((n) => n.name),
      ['back'],
    );
    const declared = load({
      'a.yaml': `${serviceDoc('a')}---\napiVersion: bosun/v1\nkind: Network\nmetadata: { name: default }\nspec: { driver: overlay, labels: { tier: x } }\n`,
    });
    assert.deepEqual(declared.networks, [
      { name: 'default', driver: 'overlay', internal: false, labels: { tier: 'x' } },
    ]);
  });

  it('accepts a repo whose host ports, prefixes and dependencies do not collide', () => {
    const ok = load({
      'a.yaml': serviceDoc(
        'a',
        '  image: app:1\n  ports: [ { container: 80, host: 8080 }, { container: 80, host: 8080, protocol: udp } ]\n',
      ),
      'b.yaml': serviceDoc(
        'b',
        '  image: app:1\n  dependsOn: [a]\n  ports: [ { container: 80, host: 9090, hostIp: 127.0.0.1 } ]\n',
      ),
      'c.yaml': serviceDoc(
        'c',
        '  image: app:1\n  dependsOn: [a, b]\n  ports: [ { container: 80, host: 9090, hostIp: 10.0.0.1 } ]\n',
      ),
    });
    assert.deepEqual(
      ok.services.map((s) => [s.name, s.dependsOn]),
      [
        ['a', []],
        ['b', ['a']],
        ['c', ['a', 'b']],
      ],
    );
  });

  it('is deterministic: the same files in another order give the same state', () => {
    const reversed = Object.fromEntries(Object.entries(REPO).reverse());
    assert.deepEqual(load(reversed), state);
  });
});
