import { strict as assert } from 'node:assert';
import { formatIssue } from '../../src/errors.ts';
import { loadDesiredState } from '../../src/formats/index.ts';
import { checkPolicy } from '../../src/policy/check.ts';
import { defaultPolicy, type PolicyInForce } from '../../src/policy/defaults.ts';
import { mergePolicy, parsePolicy } from '../../src/policy/load.ts';
import { artifact, load, serviceDoc } from '../fixtures/manifests/helpers.ts';
import { desired, service } from '../helpers/model.ts';

const BUILT_IN = defaultPolicy();
const hint = (rule: string) =>
  `is not allowed by the host policy (built-in default: ${rule}); allow it in --policy FILE`;

function judged(d: ReturnType<typeof load>, inForce: PolicyInForce = BUILT_IN): string[] {
  return checkPolicy(d, inForce).map(formatIssue);
}

/** A policy as a file would give it, named p.yaml in messages. */
function fromFile(text: string): PolicyInForce {
  return { ...mergePolicy(BUILT_IN, parsePolicy('p.yaml', text)), file: 'p.yaml' };
}

const POWERFUL = `  image: app:1
  options:
    privileged: true
    networkMode: host
    capAdd: [CHOWN, cap_sys_admin, NET_ADMIN, SYS_ADMIN]
    devices:
      - { host: /dev/fuse }
      - { host: /dev/kmsg, container: /dev/kmsg2 }
`;

const COMPOSE = `services:
  web:
    image: app:1
    privileged: true
    network_mode: host
    cap_add:
      - NET_BIND_SERVICE
      - SYS_PTRACE
      - ALL
    devices:
      - /dev/fuse:/dev/fuse:rwm
      - source: /dev/snd
        target: /dev/snd
`;

describe('host policy: options with power over the host', () => {
  it('bosun/v1: each one refused by default, at the field written, Docker default caps passing', () => {
    assert.deepEqual(judged(load({ 'web.yaml': serviceDoc('web', POWERFUL) })), [
      `web.yaml:8:17 spec.options.privileged: privileged mode ${hint('privileged')}`,
      `web.yaml:9:18 spec.options.networkMode: the host's network (networkMode host) ${hint('hostNetwork')}`,
      `web.yaml:10:21 spec.options.capAdd[1]: capability SYS_ADMIN ${hint('capabilities.allow')}`,
      `web.yaml:10:36 spec.options.capAdd[2]: capability NET_ADMIN ${hint('capabilities.allow')}`,
      `web.yaml:12:17 spec.options.devices[0].host: device /dev/fuse ${hint('devices.allow')}`,
      `web.yaml:13:17 spec.options.devices[1].host: device /dev/kmsg ${hint('devices.allow')}`,
    ]);
  });

  it('compose: the same rules point at the compose file', () => {
    const d = loadDesiredState(artifact({ 'compose.yaml': COMPOSE }));
    assert.deepEqual(judged(d), [
      `compose.yaml:4:17 services.web.privileged: privileged mode ${hint('privileged')}`,
      `compose.yaml:5:19 services.web.network_mode: the host's network (networkMode host) ${hint('hostNetwork')}`,
      `compose.yaml:8:9 services.web.cap_add[1]: capability SYS_PTRACE ${hint('capabilities.allow')}`,
      `compose.yaml:9:9 services.web.cap_add[2]: every capability (ALL) ${hint('capabilities.allow')}`,
      `compose.yaml:11:9 services.web.devices[0]: device /dev/fuse ${hint('devices.allow')}`,
      `compose.yaml:12:9 services.web.devices[1]: device /dev/snd ${hint('devices.allow')}`,
    ]);
  });

  it('a policy file allows them, naming itself when something is still refused', () => {
    const inForce = fromFile(
      'privileged: true\nhostNetwork: true\ncapabilities:\n  allow: [cap_net_admin, SYS_PTRACE]\ndevices:\n  allow: ["/dev/fuse", "/dev/snd/**", "/dev/snd"]\n',
    );
    assert.deepEqual(inForce.fromFile, ['privileged', 'hostNetwork', 'capabilities.allow', 'devices.allow']);
    assert.deepEqual(inForce.policy.capabilities.allow, ['NET_ADMIN', 'SYS_PTRACE']);
    assert.deepEqual(judged(load({ 'web.yaml': serviceDoc('web', POWERFUL) }), inForce), [
      'web.yaml:10:21 spec.options.capAdd[1]: capability SYS_ADMIN is not allowed by the host policy (p.yaml: capabilities.allow)',
      'web.yaml:13:17 spec.options.devices[1].host: device /dev/kmsg is not allowed by the host policy (p.yaml: devices.allow)',
    ]);
    assert.deepEqual(judged(loadDesiredState(artifact({ 'compose.yaml': COMPOSE })), inForce), [
      'compose.yaml:9:9 services.web.cap_add[2]: every capability (ALL) is not allowed by the host policy (p.yaml: capabilities.allow)',
    ]);
    assert.deepEqual(judged(loadDesiredState(artifact({ 'compose.yaml': COMPOSE })), fromFile(ALL_ALLOWED)), []);
  });

  it('what gives no power passes the default: privileged false, other network modes, dropped caps, default caps', () => {
    const spec = `  image: app:1\n  options:\n    privileged: false\n    networkMode: none\n    capDrop: [ALL]\n    capAdd: [NET_BIND_SERVICE, CAP_CHOWN, kill]\n    sysctls: { net.core.somaxconn: 1024 }\n`;
    assert.deepEqual(judged(load({ 'web.yaml': serviceDoc('web', spec) })), []);
  });

  it('a device reached through a symlink is judged where it leads too', () => {
    const d = desired([
      service('web', {
        options: { devices: [{ host: '/dev/serial/by-id/usb-1', container: '/dev/tty', permissions: 'rw' }] },
      }),
    ]);
    const real = (p: string) => (p === '/dev/serial/by-id/usb-1' ? '/dev/sda' : p);
    const inForce = fromFile('devices:\n  allow: ["/dev/serial/by-id/*", "/dev/ttyUSB*"]\n');
    assert.deepEqual(checkPolicy(d, inForce, { real }).map(formatIssue), [
      '<root>:1:1 device /dev/serial/by-id/usb-1 (/dev/sda) is not allowed by the host policy (p.yaml: devices.allow)',
    ]);
    const fine = (p: string) => (p === '/dev/serial/by-id/usb-1' ? '/dev/ttyUSB0' : p);
    assert.deepEqual(checkPolicy(d, inForce, { real: fine }), []);
  });

  it('the policy file refuses a malformed capability or a relative device path at its place', () => {
    assert.throws(
      () =>
        parsePolicy(
          'p.yaml',
          'capabilities:\n  allow: ["NET ADMIN"]\ndevices:\n  allow: [dev/fuse]\nhostNetwork: yes\n',
        ),
      (err: Error & { issues?: unknown[] }) => {
        assert.deepEqual((err.issues as Parameters<typeof formatIssue>[0][]).map(formatIssue), [
          'p.yaml:5:14 hostNetwork: must be boolean',
          'p.yaml:2:11 capabilities.allow[0]: must be a capability name like NET_ADMIN, or ALL',
          'p.yaml:4:11 devices.allow[0]: must be an absolute path without ".." segments',
        ]);
        return true;
      },
    );
  });
});

const ALL_ALLOWED =
  'privileged: true\nhostNetwork: true\ncapabilities: { allow: [ALL] }\ndevices: { allow: ["/dev/**"] }\n';
