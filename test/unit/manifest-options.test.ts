import { strict as assert } from 'node:assert';
import { serviceSpecHash } from '../../src/model/hash.ts';
import { issuesOf, load, serviceDoc } from '../fixtures/manifests/helpers.ts';

const doc = (kind: string, name: string, spec: string) =>
  `---\napiVersion: bosun/v1\nkind: ${kind}\nmetadata: { name: ${name} }\nspec:\n${spec}`;

const OPTIONS = `  image: app:1
  networks: [back]
  volumes: [ { target: /cache }, { volume: data, target: /data } ]
  options:
    containerName: shop-web
    hostname: web.local
    init: true
    tty: true
    stdinOpen: false
    readOnlyRootfs: true
    stopSignal: quit
    privileged: false
    capAdd: [ cap_net_admin, SYS_TIME, NET_ADMIN ]
    capDrop: [ MKNOD ]
    sysctls: { net.core.somaxconn: 1024, net.ipv4.tcp_syncookies: "0" }
    ulimits: { nofile: { soft: 1024, hard: 4096 }, nproc: 512 }
    tmpfs: [ { target: /run, size: 64Mi, mode: 0o1777 }, { target: /tmp } ]
    extraHosts: [ "z.local:10.0.0.2", "a.local:10.0.0.1" ]
    dns: [ 10.0.0.53, 1.1.1.1 ]
    dnsSearch: [ svc.local ]
    dnsOptions: [ ndots:2 ]
    shmSize: 128Mi
    logging: { driver: json-file, options: { max-size: 10m, max-file: "3" } }
    devices: [ { host: /dev/fuse } ]
    platform: linux/amd64
    expose: [ { port: 9000 }, { port: 53, protocol: udp } ]
    networkOptions: { back: { aliases: [ api, web-api ], ipv4Address: 10.5.0.10 } }
`;

const NETS = `${doc('Network', 'back', '  ipam: [ { subnet: 10.5.0.0/24, gateway: 10.5.0.1 } ]\n  attachable: true\n')}${doc(
  'Volume',
  'data',
  '  engineName: shop_data\n  driverOpts: { type: tmpfs, device: tmpfs }\n',
)}${doc('Volume', 'ext', '  external: true\n')}${doc('Network', 'edge', '  external: true\n  engineName: proxy\n')}`;

describe('bosun/v1 container options', () => {
  it('normalizes spec.options into ContainerOptions: sizes in bytes, capabilities upper case, sorted lists', () => {
    const state = load({ 'web.yaml': serviceDoc('web', OPTIONS) + NETS });
    const web = state.services[0]!;
    assert.deepEqual(web.volumes, [
      { target: '/cache', readOnly: false },
      { volume: 'data', target: '/data', readOnly: false },
    ]);
    assert.deepEqual(web.options, {
      containerName: 'shop-web',
      hostname: 'web.local',
      init: true,
      tty: true,
      stdinOpen: false,
      readOnlyRootfs: true,
      stopSignal: 'SIGQUIT',
      privileged: false,
      capAdd: ['NET_ADMIN', 'SYS_TIME'],
      capDrop: ['MKNOD'],
      sysctls: { 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' },
      ulimits: { nofile: { soft: 1024, hard: 4096 }, nproc: { soft: 512, hard: 512 } },
      tmpfs: [{ target: '/run', sizeBytes: 64 * 2 ** 20, mode: 0o1777 }, { target: '/tmp' }],
      extraHosts: ['a.local:10.0.0.1', 'z.local:10.0.0.2'],
      dns: ['10.0.0.53', '1.1.1.1'],
      dnsSearch: ['svc.local'],
      dnsOptions: ['ndots:2'],
      shmSizeBytes: 128 * 2 ** 20,
      logging: { driver: 'json-file', options: { 'max-file': '3', 'max-size': '10m' } },
      devices: [{ host: '/dev/fuse', container: '/dev/fuse', permissions: 'rwm' }],
      platform: 'linux/amd64',
      expose: [
        { port: 53, protocol: 'udp' },
        { port: 9000, protocol: 'tcp' },
      ],
      networkOptions: { back: { aliases: ['api', 'web-api'], ipv4Address: '10.5.0.10' } },
    });
    assert.deepEqual(state.networks, [
      {
        name: 'back',
        driver: 'bridge',
        internal: false,
        labels: {},
        ipam: [{ gateway: '10.5.0.1', subnet: '10.5.0.0/24' }],
        attachable: true,
      },
      { name: 'edge', driver: 'bridge', internal: false, labels: {}, engineName: 'proxy', external: true },
    ]);
    assert.deepEqual(state.volumes, [
      {
        name: 'data',
        driver: 'local',
        labels: {},
        engineName: 'shop_data',
        driverOpts: { device: 'tmpfs', type: 'tmpfs' },
      },
      { name: 'ext', driver: 'local', labels: {}, engineName: 'ext', external: true },
    ]);
  });

  it('records where the options the host policy judges were written', () => {
    const state = load({ 'web.yaml': serviceDoc('web', OPTIONS) + NETS });
    assert.deepEqual(state.locations['Service/web:capAdd:NET_ADMIN'], {
      file: 'web.yaml',
      line: 18,
      col: 15,
      path: 'spec.options.capAdd[0]',
    });
    assert.deepEqual(state.locations['Service/web:device:/dev/fuse'], {
      file: 'web.yaml',
      line: 29,
      col: 24,
      path: 'spec.options.devices[0].host',
    });
    assert.equal(state.locations['Service/web:privileged']?.path, 'spec.options.privileged');
  });

  it('keeps the hash of a spec written before options existed (absent stays absent)', () => {
    const OLD = `  image: app:1
  command: [sh, -c, "exec httpd -f"]
  env: { A: "1" }
  ports: [ { container: 80, host: 8080 } ]
  volumes: [ { volume: data, target: /data }, { hostPath: /srv/www, target: /www, readOnly: true } ]
  networks: [ front ]
  healthcheck: { cmd: [wget, -qO-, "http://127.0.0.1/"], interval: 2s }
  resources: { memory: 64Mi, cpus: 0.5 }
  user: "1000"
  workingDir: /www
`;
    const files = { 'web.yaml': serviceDoc('web', OLD) + doc('Network', 'front', '  internal: true\n') };
    const state = load({ ...files, 'v.yaml': doc('Volume', 'data', '  labels: {}\n') });
    // computed by main before ContainerOptions existed (commit 7db3908)
    assert.equal(
      serviceSpecHash(state.services[0]!, state.configs),
      'dfa420e4818b77917c256daf5de7ae9d28acc8a011542059d4a3ce41e33aa83a',
    );
    assert.ok(!('options' in state.services[0]!));
    assert.deepEqual(state.networks, [{ name: 'front', driver: 'bridge', internal: true, labels: {} }]);
    assert.deepEqual(state.volumes, [{ name: 'data', driver: 'local', labels: {} }]);
    const empty = load({ 'web.yaml': serviceDoc('web', '  image: app:1\n  options: {}\n') });
    assert.ok(!('options' in empty.services[0]!), 'an empty options mapping is no options');
  });

  it('a networkMode stands instead of networks: the service is on none, and no default network is made', () => {
    const state = load({ 'web.yaml': serviceDoc('web', '  image: app:1\n  options: { networkMode: host }\n') });
    assert.deepEqual(state.services[0]!.networks, []);
    assert.deepEqual(state.networks, []);
  });

  it('refuses what the engine would refuse, at the line that asks for it', () => {
    const files = {
      'a.yaml': serviceDoc(
        'a',
        '  image: app:1\n  replicas: 2\n  options: { containerName: fixed, networkOptions: { back: { ipv4Address: 10.0.0.9 } } }\n',
      ),
      'b.yaml': serviceDoc(
        'b',
        '  image: app:1\n  networks: [default]\n  ports: [ { container: 80 } ]\n  options: { networkMode: host, containerName: fixed }\n',
      ),
      'c.yaml': serviceDoc(
        'c',
        '  image: app:1\n  networks: [plain]\n  options: { networkOptions: { plain: { ipv4Address: 10.0.0.9 } } }\n',
      ),
      'n.yaml': doc('Network', 'plain', '  internal: false\n'),
      'd.yaml': serviceDoc('d', '  image: app:1\n  volumes: [ { volume: x, hostPath: /x, target: /x } ]\n'),
    };
    assert.deepEqual(issuesOf(files), [
      'a.yaml:8:29 spec.options.containerName: a fixed container name allows one replica, not 2',
      'a.yaml:8:54 spec.options.networkOptions.back: the service is not on network "back"',
      'b.yaml:7:13 spec.networks: not allowed with networkMode host',
      'b.yaml:8:10 spec.ports: ports cannot be published with networkMode host',
      'b.yaml:9:48 spec.options.containerName: container name fixed is already used by Service "a" (a.yaml:8)',
      'c.yaml:8:54 spec.options.networkOptions.plain.ipv4Address: a fixed address needs a subnet: set ipam of Network "plain"',
      'd.yaml:7:14 spec.volumes[0]: must set at most one of volume, hostPath (neither: an anonymous volume)',
    ]);
  });
});
