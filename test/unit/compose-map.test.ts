import { strict as assert } from 'node:assert';
import { LineCounter, parseDocument, isMap, isSeq, isNode, type Node } from 'yaml';
import { formatIssue, ManifestError } from '../../src/errors.ts';
import { mapCompose } from '../../src/formats/compose/map/index.ts';
import { composeBytes, composeDurationMs, shellWords } from '../../src/formats/compose/map/units.ts';
import type { ComposeModel, ComposePath, LoadedCompose } from '../../src/formats/compose/loaded.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import { serviceSpecHash } from '../../src/model/hash.ts';
import { artifact, type Files } from '../fixtures/manifests/helpers.ts';

/** A LoadedCompose straight from one YAML text (the loader's job, minimally): positions from the YAML. */
function loaded(text: string, project = 'shop', dir = ''): LoadedCompose {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  const file = dir === '' ? 'compose.yaml' : `${dir}/compose.yaml`;
  return {
    project,
    model: doc.toJS() as ComposeModel,
    files: [file],
    dir,
    locate(path: ComposePath) {
      let node: unknown = doc.contents;
      for (const seg of path) {
        const next: unknown = isMap(node) || isSeq(node) ? node.get(seg, true) : undefined;
        if (!isNode(next)) break;
        node = next;
      }
      const pos = lc.linePos((node as Node | null)?.range?.[0] ?? 0);
      return { file, line: pos.line, col: pos.col };
    },
  };
}

function map(text: string, files: Files = {}, hostEnv: Record<string, string> = {}): DesiredState {
  return mapCompose(loaded(text), artifact({ 'compose.yaml': text, ...files }), { hostEnv });
}

function issues(text: string, files: Files = {}): string[] {
  try {
    map(text, files);
  } catch (err) {
    assert.ok(err instanceof ManifestError);
    return err.issues.map(formatIssue);
  }
  assert.fail('expected a ManifestError');
}

const svc = (state: DesiredState, name: string) => state.services.find((s) => s.name === name)!;

describe('compose mapping: units', () => {
  it('reads Go durations, binary byte units and shell words as compose does', () => {
    assert.equal(composeDurationMs('1m30s'), 90_000);
    assert.equal(composeDurationMs('1.5s'), 1500);
    assert.equal(composeDurationMs('500ms'), 500);
    assert.equal(composeDurationMs('10x'), undefined);
    assert.equal(composeBytes('1.5G'), 1.5 * 2 ** 30);
    assert.equal(composeBytes('512m'), 512 * 2 ** 20);
    assert.equal(composeBytes('64mb'), 64 * 2 ** 20);
    assert.equal(composeBytes(1024), 1024);
    assert.deepEqual(shellWords(`sh -c 'echo "a b"' x\\ y "q\\"z"`), ['sh', '-c', 'echo "a b"', 'x y', 'q"z']);
    assert.equal(shellWords('echo "open'), undefined);
  });
});

describe('compose mapping: services', () => {
  it('writes compose defaults where bosun differs: restart no, engine healthcheck timings', () => {
    const s = svc(map('services:\n  web:\n    image: app:1\n    healthcheck:\n      test: wget -q localhost\n'), 'web');
    assert.equal(s.restart, 'no');
    assert.equal(s.replicas, 1);
    assert.equal(s.stopGracePeriodMs, 10_000);
    assert.deepEqual(s.healthcheck, {
      cmd: ['/bin/sh', '-c', 'wget -q localhost'],
      intervalMs: 30_000,
      timeoutMs: 30_000,
      retries: 3,
      startPeriodMs: 0,
    });
    assert.deepEqual(s.networks, ['default']);
    assert.equal(s.labels['com.docker.compose.project'], 'shop');
    assert.equal(s.labels['com.docker.compose.service'], 'web');
    assert.equal(s.options, undefined);
  });

  it('maps CMD, NONE and disable healthchecks; splits string commands without a shell', () => {
    const state = map(
      [
        'services:',
        '  a: { image: x, healthcheck: { test: [CMD, wget, -q, x], interval: 2s }, command: "httpd -f -p \'8 0\'" }',
        '  b: { image: x, healthcheck: { test: [NONE] }, entrypoint: [sh, -c] }',
        '  c: { image: x, healthcheck: { disable: true } }',
      ].join('\n'),
    );
    assert.deepEqual(svc(state, 'a').healthcheck?.cmd, ['wget', '-q', 'x']);
    assert.equal(svc(state, 'a').healthcheck?.intervalMs, 2000);
    assert.deepEqual(svc(state, 'a').command, ['httpd', '-f', '-p', '8 0']);
    assert.equal(svc(state, 'b').healthcheck, undefined);
    assert.deepEqual(svc(state, 'b').entrypoint, ['sh', '-c']);
    assert.equal(svc(state, 'c').healthcheck, undefined);
  });

  it('expands port ranges, keeps host IPs and udp, and leaves the host port to the engine when absent', () => {
    const s = svc(
      map(
        'services:\n  web:\n    image: x\n    ports: ["3000", "127.0.0.1:8080-8081:80-81", "53:53/udp", {target: 9000, published: "9001", host_ip: "::1"}]\n    expose: ["7000-7001", "53/udp"]\n',
      ),
      'web',
    );
    assert.deepEqual(s.ports, [
      { container: 53, host: 53, protocol: 'udp' },
      { container: 80, host: 8080, protocol: 'tcp', hostIp: '127.0.0.1' },
      { container: 81, host: 8081, protocol: 'tcp', hostIp: '127.0.0.1' },
      { container: 3000, protocol: 'tcp' },
      { container: 9000, host: 9001, protocol: 'tcp', hostIp: '::1' },
    ]);
    assert.deepEqual(s.options?.expose, [
      { port: 7000, protocol: 'tcp' },
      { port: 7001, protocol: 'tcp' },
      { port: 53, protocol: 'udp' },
    ]);
  });

  it('layers env_file then environment; a bare KEY comes only from the allowed host variables', () => {
    const text =
      'services:\n  web:\n    image: x\n    env_file: [web.env]\n    environment:\n      B: from-file-overridden\n      HOSTVAR:\n      UNSET:\n';
    const s = svc(map(text, { 'web.env': '# c\nA=1\nB="two"\nexport C=3 # note\n' }, { HOSTVAR: 'h' }), 'web');
    assert.deepEqual(s.env, { A: '1', B: 'from-file-overridden', C: '3', HOSTVAR: 'h' });
  });

  it('maps volumes: named with compose names, anonymous, host path, and relative paths as copies from git', () => {
    const text = [
      'services:',
      '  web:',
      '    image: x',
      '    volumes: [data:/data, /cache, /srv/logs:/logs:ro, ./nginx.conf:/etc/nginx/nginx.conf:ro, ./html:/www]',
      'volumes:',
      '  data:',
      '  ext: { external: true }',
      '  named: { name: fixed }',
    ].join('\n');
    const state = map(text, { 'nginx.conf': 'events {}\n', 'html/index.html': 'hi', 'html/a/b.txt': 'b' });
    const s = svc(state, 'web');
    assert.deepEqual(s.volumes, [
      { target: '/cache', readOnly: false },
      { volume: 'data', target: '/data', readOnly: false },
      { hostPath: '/srv/logs', target: '/logs', readOnly: true },
    ]);
    assert.deepEqual(
      s.copies?.map((c) => [c.source, c.target, c.readOnly, Object.keys(c.content)]),
      [
        ['nginx.conf', '/etc/nginx/nginx.conf', true, ['']],
        ['html', '/www', false, ['a/b.txt', 'index.html']],
      ],
    );
    assert.match(s.copies![0]!.digest, /^[0-9a-f]{64}$/);
    assert.deepEqual(
      state.volumes.map((v) => [v.name, v.engineName, v.external ?? false]),
      [
        ['data', 'shop_data', false],
        ['ext', 'ext', true],
        ['named', 'fixed', false],
      ],
    );
  });

  it('a changed file in git changes the digest of exactly the copy that reads it', () => {
    const text = 'services:\n  a: { image: x, volumes: [./a.conf:/a] }\n  b: { image: x, volumes: [./b.conf:/b] }\n';
    const one = map(text, { 'a.conf': '1', 'b.conf': '1' });
    const two = map(text, { 'a.conf': '2', 'b.conf': '1' });
    assert.notEqual(svc(one, 'a').copies![0]!.digest, svc(two, 'a').copies![0]!.digest);
    assert.equal(svc(one, 'b').copies![0]!.digest, svc(two, 'b').copies![0]!.digest);
  });

  it('networks: the implicit default, aliases and addresses, ipam, external and name', () => {
    const text = [
      'services:',
      '  a: { image: x }',
      '  b:',
      '    image: x',
      '    networks:',
      '      back: { aliases: [db, store], ipv4_address: 10.5.0.5 }',
      '      front:',
      '  c: { image: x, network_mode: host }',
      'networks:',
      '  back: { internal: true, ipam: { config: [{ subnet: 10.5.0.0/24 }] } }',
      '  front: { external: true, name: proxy }',
    ].join('\n');
    const state = map(text);
    assert.deepEqual(svc(state, 'b').networks, ['back', 'front']);
    assert.deepEqual(svc(state, 'b').options?.networkOptions, {
      back: { aliases: ['db', 'store'], ipv4Address: '10.5.0.5' },
    });
    assert.deepEqual(svc(state, 'c').networks, []);
    assert.equal(svc(state, 'c').options?.networkMode, 'host');
    assert.deepEqual(
      state.networks.map((n) => [n.name, n.engineName, n.internal, n.external ?? false, n.ipam]),
      [
        ['back', 'shop_back', true, false, [{ subnet: '10.5.0.0/24' }]],
        ['default', 'shop_default', false, false, undefined],
        ['front', 'proxy', false, true, undefined],
      ],
    );
  });

  it('depends_on list and map, deploy replicas, limits, update_config and options', () => {
    const text = [
      'services:',
      '  db: { image: x, healthcheck: { test: [CMD, true] } }',
      '  cache: { image: x }',
      '  web:',
      '    image: x',
      '    depends_on: { db: { condition: service_healthy }, cache: { condition: service_started } }',
      '    deploy:',
      '      replicas: 3',
      '      resources: { limits: { memory: 1.5G, cpus: "0.5" } }',
      '      update_config: { parallelism: 2, order: start-first, delay: 1s, failure_action: pause }',
      '    cap_add: [net_admin, CAP_SYS_TIME]',
      '    sysctls: [net.core.somaxconn=1024]',
      '    ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: 65535 }',
      '    tmpfs: [/run, "/tmp:size=64m,mode=1777"]',
      '    extra_hosts: ["db.local:10.0.0.2", "b=10.0.0.3"]',
      '    shm_size: 64m',
      '    stop_grace_period: 1m30s',
      '    restart: unless-stopped',
      '    init: true',
      '    user: "1000"',
      '  side: { image: x, depends_on: [db] }',
    ].join('\n');
    const state = map(text);
    const web = svc(state, 'web');
    assert.deepEqual(web.dependsOn, ['cache', 'db']);
    assert.deepEqual(svc(state, 'side').dependsOn, ['db']);
    assert.equal(web.replicas, 3);
    assert.deepEqual(web.resources, { memoryBytes: 1.5 * 2 ** 30, cpus: 0.5 });
    assert.deepEqual(web.update, {
      parallelism: 2,
      order: 'start-first',
      delayMs: 1000,
      monitorMs: 0,
      failureAction: 'pause',
    });
    assert.equal(web.restart, 'unless-stopped');
    assert.equal(web.stopGracePeriodMs, 90_000);
    assert.equal(web.user, '1000');
    assert.deepEqual(web.options, {
      capAdd: ['NET_ADMIN', 'SYS_TIME'],
      extraHosts: ['b:10.0.0.3', 'db.local:10.0.0.2'],
      init: true,
      shmSizeBytes: 64 * 2 ** 20,
      sysctls: { 'net.core.somaxconn': '1024' },
      tmpfs: [{ target: '/run' }, { target: '/tmp', sizeBytes: 64 * 2 ** 20, mode: 0o1777 }],
      ulimits: { nofile: { soft: 1024, hard: 2048 }, nproc: { soft: 65535, hard: 65535 } },
    });
  });

  it('configs and secrets become Configs read as files at compose targets', () => {
    const text = [
      'services:',
      '  web:',
      '    image: x',
      '    configs: [site, { source: motd, target: /etc/motd, mode: 0440 }]',
      '    secrets: [db_password]',
      'configs:',
      '  site: { file: ./site.conf }',
      '  motd: { content: hello }',
      'secrets:',
      '  db_password: { environment: DB_PASSWORD }',
    ].join('\n');
    const state = map(text, { 'site.conf': 'x=1\n' }, { DB_PASSWORD: 's3cret' });
    assert.deepEqual(svc(state, 'web').files, [
      { config: 'config-motd', key: 'content', target: '/etc/motd', mode: 0o440 },
      { config: 'secret-db-password', key: 'content', target: '/run/secrets/db_password', mode: 0o444 },
      { config: 'config-site', key: 'content', target: '/site', mode: 0o444 },
    ]);
    assert.deepEqual(
      state.configs.map((c) => [c.name, c.data.content, c.secret]),
      [
        ['config-motd', 'hello', false],
        ['config-site', 'x=1\n', false],
        ['secret-db-password', 's3cret', true],
      ],
    );
  });

  it('build: identity over the context after .dockerignore; the image tag carries its start', () => {
    const text = 'services:\n  web:\n    build: { context: ./web, args: { V: "1" } }\n';
    const files = { 'web/Dockerfile': 'FROM x\n', 'web/app.txt': 'a', 'web/.dockerignore': 'junk\n', 'web/junk': '1' };
    const one = svc(map(text, files), 'web');
    const two = svc(map(text, { ...files, 'web/junk': '2' }), 'web');
    const three = svc(map(text, { ...files, 'web/app.txt': 'b' }), 'web');
    assert.equal(one.build?.context, 'web');
    assert.equal(one.build?.dockerfile, 'Dockerfile');
    assert.deepEqual(one.build?.args, { V: '1' });
    assert.equal(one.build?.identity, two.build?.identity, 'an ignored file is not part of the identity');
    assert.notEqual(one.build?.identity, three.build?.identity);
    assert.equal(one.image, `shop-web:${one.build!.identity.slice(0, 12)}`);
  });
});

describe('compose mapping: refusals name the file, line, column and path', () => {
  it('container_name and platform are engine options, and so part of the spec identity', () => {
    const text = [
      'services:',
      '  web:',
      '    image: x',
      '    container_name: shop-frontend',
      '    platform: linux/amd64',
    ].join('\n');
    const web = svc(map(text), 'web');
    assert.equal(web.options?.containerName, 'shop-frontend');
    assert.equal(web.options?.platform, 'linux/amd64');
    const other = svc(map(text.replace('linux/amd64', 'linux/arm64')), 'web');
    assert.notEqual(serviceSpecHash(other, []), serviceSpecHash(web, []));
  });

  it('container_name with replicas, env_file outside the folder, undeclared volume, ~ paths', () => {
    const text = [
      'services:',
      '  web:',
      '    image: x',
      '    container_name: web',
      '    deploy: { replicas: 2 }',
      '    env_file: ../secrets.env',
      '    volumes: [data:/data, ~/x:/x, ./missing:/m]',
      '  db: { image: x, depends_on: { web: { condition: service_healthy } } }',
    ].join('\n');
    assert.deepEqual(issues(text), [
      'compose.yaml:4:21 services.web.container_name: a fixed container name allows one replica, not 2',
      `compose.yaml:6:15 services.web.env_file: "../secrets.env" is outside the stack's folder: env files are read from the repo at the ref, below the folder bosun reads`,
      'compose.yaml:7:15 services.web.volumes[0]: volume "data" is not declared under the top-level volumes',
      `compose.yaml:7:27 services.web.volumes[1]: "~/x": a path in a home folder is refused (it would be the controller's home); write the absolute host path`,
      'compose.yaml:7:35 services.web.volumes[2]: no file or folder "missing" in the repo at this revision: a relative path is copied from git (compose would create an empty host folder)',
      'compose.yaml:8:51 services.db.depends_on.web.condition: service_healthy needs a healthcheck on "web"',
    ]);
  });

  it('unknown keys and unsupported values are refused by name', () => {
    const text =
      'services:\n  web:\n    image: x\n    links: [db]\n    restart: on-failure:3\n    depends_on: { db: { condition: service_completed_successfully } }\n  db: { image: x }\n';
    const found = issues(text);
    assert.equal(found.length, 3);
    assert.match(found[0]!, /^compose\.yaml:4:12 services\.web\.links: links is not supported/);
    assert.match(found[1]!, /^compose\.yaml:5:14 services\.web\.restart: "on-failure:3" is not supported/);
    assert.match(found[2]!, /condition: service_completed_successfully is not supported/);
  });
});
