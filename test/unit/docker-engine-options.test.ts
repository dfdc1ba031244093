import { strict as assert } from 'node:assert';
import { createOptions } from '../../src/backends/docker/create-options.ts';
import { blueprintFor } from '../../src/backends/docker/plan/blueprint.ts';
import { serviceFacts } from '../../src/plan/facts.ts';
import { desired, service } from '../helpers/model.ts';

function body(options: Parameters<typeof service>[1]) {
  const d = desired([service('web', options)]);
  const s = d.services[0]!;
  return createOptions(blueprintFor(d, s, 1, serviceFacts(d, s)), {});
}

describe('docker create body: container options', () => {
  it('a service without options gets none of their fields', () => {
    const b = body({});
    assert.deepEqual(Object.keys(b.HostConfig!).sort(), [
      'Memory',
      'Mounts',
      'NanoCpus',
      'NetworkMode',
      'PortBindings',
      'RestartPolicy',
    ]);
    assert.equal(b.Hostname, undefined);
  });

  it('maps every option to the engine field the docker CLI sets for it', () => {
    const b = body({
      networks: ['default', 'back'],
      options: {
        hostname: 'h1',
        init: true,
        tty: true,
        stdinOpen: true,
        readOnlyRootfs: true,
        stopSignal: 'SIGQUIT',
        privileged: true,
        capAdd: ['NET_ADMIN'],
        capDrop: ['ALL'],
        sysctls: { 'net.core.somaxconn': '1024' },
        ulimits: { nofile: { soft: 1024, hard: 2048 } },
        tmpfs: [{ target: '/run', sizeBytes: 65536, mode: 0o1777 }, { target: '/tmp' }],
        extraHosts: ['db.local:10.0.0.2'],
        dns: ['10.0.0.53'],
        dnsSearch: ['example.org'],
        dnsOptions: ['ndots:2'],
        shmSizeBytes: 1048576,
        logging: { driver: 'json-file', options: { 'max-size': '1m' } },
        devices: [{ host: '/dev/fuse', container: '/dev/fuse', permissions: 'rwm' }],
        expose: [{ port: 9000, protocol: 'udp' }],
        networkOptions: { default: { aliases: ['www'], ipv4Address: '10.5.0.9' } },
      },
    });
    assert.deepEqual([b.Hostname, b.Tty, b.OpenStdin, b.StopSignal], ['h1', true, true, 'SIGQUIT']);
    assert.deepEqual(b.ExposedPorts, { '9000/udp': {} });
    const h = b.HostConfig!;
    assert.deepEqual(
      [h.Init, h.ReadonlyRootfs, h.Privileged, h.CapAdd, h.CapDrop, h.Sysctls],
      [true, true, true, ['NET_ADMIN'], ['ALL'], { 'net.core.somaxconn': '1024' }],
    );
    assert.deepEqual(h.Ulimits, [{ Name: 'nofile', Soft: 1024, Hard: 2048 }]);
    assert.deepEqual(h.Tmpfs, { '/run': 'size=65536,mode=1777', '/tmp': '' });
    assert.deepEqual(
      [h.ExtraHosts, h.Dns, h.DnsSearch, h.DnsOptions, h.ShmSize],
      [['db.local:10.0.0.2'], ['10.0.0.53'], ['example.org'], ['ndots:2'], 1048576],
    );
    assert.deepEqual(h.LogConfig, { Type: 'json-file', Config: { 'max-size': '1m' } });
    assert.deepEqual(h.Devices, [{ PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' }]);
    assert.deepEqual(b.NetworkingConfig, {
      EndpointsConfig: { shop_default: { Aliases: ['web', 'www'], IPAMConfig: { IPv4Address: '10.5.0.9' } } },
    });
  });

  it('networkMode stands in for networks', () => {
    assert.equal(body({ networks: [], options: { networkMode: 'host' } }).HostConfig!.NetworkMode, 'host');
    assert.equal(body({ networks: [] }).HostConfig!.NetworkMode, undefined);
  });
});
