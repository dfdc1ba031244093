import { strict as assert } from 'node:assert';
import path from 'node:path';
import { formatIssue, ManifestError } from '../../src/errors.ts';
import { checkPolicy, enforcePolicy } from '../../src/policy/check.ts';
import { defaultPolicy, type PolicyInForce } from '../../src/policy/defaults.ts';
import { judgeHostPath } from '../../src/policy/host-paths.ts';
import { mergePolicy } from '../../src/policy/load.ts';
import { load, PROJECT, serviceDoc } from '../fixtures/manifests/helpers.ts';
import { desired, service } from '../helpers/model.ts';

const BUILT_IN = defaultPolicy({ dockerSockets: ['/srv/engine/docker.sock'], bosunPaths: ['/var/lib/bosun'] });
const rules = BUILT_IN.policy.hostPaths;
const HINT = 'is not allowed by the host policy (built-in default: hostPaths.deny); allow it in --policy FILE';

/** Violations of manifests (plus a Project) under `inForce`, as the user reads them. */
function violations(files: Record<string, string>, inForce: PolicyInForce = BUILT_IN): string[] {
  return checkPolicy(load(files), inForce, { origin: { repo: 'https://git.example/shop.git', path: 'deploy' } }).map(
    formatIssue,
  );
}

const mount = (hostPath: string, target = '/data') =>
  `  volumes:\n    - { hostPath: "${hostPath}", target: ${target} }\n`;

describe('host policy: host paths', () => {
  const denied = [
    '/',
    '/etc',
    '/etc/',
    '/etc/passwd',
    '/proc',
    '/proc/self',
    '/proc/self/root',
    '/sys',
    '/sys/fs/cgroup',
    '/dev',
    '/dev/sda',
    '/root',
    '/root/.ssh',
    '/boot',
    '/var/lib/docker',
    '/var/lib/docker/volumes',
    '/var/run/docker.sock',
    '/run/docker.sock',
    '//etc//',
    '/srv/../proc/./1',
    '/var',
    '/var/lib',
    '/run',
    '/srv/engine',
    '/srv/engine/docker.sock',
    '/var/lib/bosun',
    '/var/lib/bosun/state',
  ];
  for (const p of denied) it(`denies ${p} by default`, () => assert.equal(judgeHostPath(p, rules).allowed, false, p));

  for (const p of ['/srv/data', '/srv/data/', '/home/app/cache', '/var/log/app', '/opt'])
    it(`allows ${p} by default`, () => assert.deepEqual(judgeHostPath(p, rules), { allowed: true }));

  /** Debian's /var/run → /run symlink, resolved as the kernel does (the `..` after it climbs from /run). */
  const debian = (p: string) => path.posix.normalize(p.replace(/^\/var\/run(\/|$)/, '/run$1'));

  for (const p of ['/var/run/../etc', '/var/run/../etc/', '/var/run/../var/lib/docker', '/var/run/../'])
    it(`denies ${p}, with symlinks resolved first`, () => assert.equal(judgeHostPath(p, rules, debian).allowed, false));

  it('names the denied folder a mount contains', () => {
    assert.deepEqual(judgeHostPath('/var', rules), {
      allowed: false,
      rule: 'hostPaths.deny',
      denied: '/var/lib/bosun',
      contains: true,
    });
    assert.deepEqual(judgeHostPath('/var/run/../etc/', rules, debian), {
      allowed: false,
      rule: 'hostPaths.deny',
      denied: '/etc',
      contains: false,
    });
  });

  it('judges the real path too: a symlink into a denied folder is denied', () => {
    const real = (p: string) => (p.startsWith('/srv/link') ? p.replace('/srv/link', '/proc') : p);
    assert.equal(judgeHostPath('/srv/link/1', rules, real).allowed, false);
    assert.equal(judgeHostPath('/srv/other', rules, real).allowed, true);
  });

  it('widens the deny list with real paths (/var/run → /run)', () => {
    const real = (p: string) => p.replace(/^\/run\//, '/var/run/');
    const only = { allow: ['/'], deny: ['/run/x.sock'] };
    assert.equal(judgeHostPath('/var/run/x.sock', only, real).allowed, false);
  });

  it('an allow list limits mounts to it; an allow entry as long as a denied one lifts it', () => {
    const file = mergePolicy(BUILT_IN, { hostPaths: { allow: ['/srv/data', '/var/run/docker.sock'] } });
    const r = file.policy.hostPaths;
    assert.equal(judgeHostPath('/srv/data/x', r).allowed, true);
    assert.equal(judgeHostPath('/var/run/docker.sock', r).allowed, true);
    assert.deepEqual(judgeHostPath('/srv/other', r), { allowed: false, rule: 'hostPaths.allow' });
    assert.equal(judgeHostPath('/var/run', r).allowed, false, 'still outside the allow list');
  });

  it('an allowed ancestor does not expose a denied path inside it', () => {
    const r = mergePolicy(BUILT_IN, { hostPaths: { allow: ['/var'] } }).policy.hostPaths;
    assert.equal(judgeHostPath('/var', r).allowed, false);
    assert.equal(judgeHostPath('/var/log', r).allowed, true);
  });

  it('a file deny entry adds to the built-in ones', () => {
    const r = mergePolicy(BUILT_IN, { hostPaths: { deny: ['/srv/secret'] } }).policy.hostPaths;
    assert.equal(judgeHostPath('/srv/secret/a', r).allowed, false);
    assert.equal(judgeHostPath('/etc', r).allowed, false);
  });
});

describe('host policy: violations at file:line:col', () => {
  it('reports every denied mount at its hostPath node, naming the rule', () => {
    const spec = `  image: app:1\n  volumes:\n    - { hostPath: /var/run/docker.sock, target: /s }\n    - { hostPath: /srv/ok, target: /ok }\n    - hostPath: /\n      target: /host\n`;
    assert.deepEqual(violations({ 'web.yaml': serviceDoc('web', spec) }), [
      `web.yaml:8:19 spec.volumes[0].hostPath: host path /var/run/docker.sock ${HINT}`,
      `web.yaml:10:17 spec.volumes[2].hostPath: host path / (it contains /boot) ${HINT}`,
    ]);
  });

  it('reports /proc/self with the denied folder it falls under', () => {
    const spec = `  image: app:1\n${mount('/proc/self')}`;
    assert.deepEqual(violations({ 'web.yaml': serviceDoc('web', spec) }), [
      `web.yaml:8:19 spec.volumes[0].hostPath: host path /proc/self (/proc) ${HINT}`,
    ]);
  });

  it('names the file when a file rule refuses', () => {
    const inForce = { ...mergePolicy(BUILT_IN, { hostPaths: { allow: ['/srv/data'] } }), file: '/etc/bosun/p.yaml' };
    const spec = `  image: app:1\n${mount('/srv/other')}`;
    assert.deepEqual(violations({ 'web.yaml': serviceDoc('web', spec) }, inForce), [
      'web.yaml:8:19 spec.volumes[0].hostPath: host path /srv/other is not allowed by the host policy (/etc/bosun/p.yaml: hostPaths.allow)',
    ]);
  });

  it('images: globs over the name as written and as docker.io qualifies it', () => {
    const inForce = {
      ...mergePolicy(BUILT_IN, { images: { allow: ['registry.example/team/*', 'docker.io/library/nginx:*'] } }),
      file: 'p.yaml',
    };
    const files = {
      'a.yaml': serviceDoc('a', '  image: registry.example/team/app:1\n'),
      'b.yaml': serviceDoc('b', '  image: nginx:1.27\n'),
      'c.yaml': serviceDoc('c', '  image: registry.example/team/sub/app:1\n'),
      'd.yaml': serviceDoc('d', '  image: evil/miner:latest\n'),
    };
    assert.deepEqual(violations(files, inForce), [
      'c.yaml:6:10 spec.image: image registry.example/team/sub/app:1 is not allowed by the host policy (p.yaml: images.allow)',
      'd.yaml:6:10 spec.image: image evil/miner:latest is not allowed by the host policy (p.yaml: images.allow)',
    ]);
  });

  it('limits: replicas and memory (a missing limit counts when one is set)', () => {
    const inForce = {
      ...mergePolicy(BUILT_IN, { limits: { maxReplicas: 3, maxMemory: '256Mi' } }),
      file: 'p.yaml',
    };
    const files = {
      'a.yaml': serviceDoc('a', '  image: app:1\n  replicas: 4\n  resources: { memory: 512Mi }\n'),
      'b.yaml': serviceDoc('b', '  image: app:1\n  replicas: 3\n'),
      'c.yaml': serviceDoc('c', '  image: app:1\n  resources: { memory: 256Mi }\n'),
    };
    assert.deepEqual(violations(files, inForce), [
      'a.yaml:7:13 spec.replicas: 4 replicas are more than 3, the most allowed by the host policy (p.yaml: limits.maxReplicas)',
      'a.yaml:8:24 spec.resources.memory: 536870912 bytes are more than 268435456, the most allowed by the host policy (p.yaml: limits.maxMemory)',
      'b.yaml:6:3 spec: a memory limit is required by the host policy (p.yaml: limits.maxMemory)',
    ]);
  });

  it('config prefixes and project names', () => {
    const inForce = {
      ...mergePolicy(BUILT_IN, {
        configPrefixes: { allow: ['/shop'] },
        projects: [{ repo: 'https://git.example/*.git', path: 'other', names: ['shop'] }],
      }),
      file: 'p.yaml',
    };
    const files = {
      'c.yaml':
        'apiVersion: bosun/v1\nkind: Config\nmetadata:\n  name: c\nspec:\n  prefix: /billing/\n  data: { a: b }\n',
      'd.yaml':
        'apiVersion: bosun/v1\nkind: Config\nmetadata:\n  name: d\nspec:\n  prefix: /shop/web/\n  data: { a: b }\n',
    };
    assert.deepEqual(violations(files, inForce), [
      'bosun.yaml:4:9 metadata.name: project shop from https://git.example/shop.git (path deploy) is not allowed by the host policy (p.yaml: projects)',
      'c.yaml:6:11 spec.prefix: key prefix /billing/ is not allowed by the host policy (p.yaml: configPrefixes.allow)',
    ]);
  });

  it('throws one E_POLICY_DENIED error holding every violation', () => {
    const d = desired([
      service('web', { volumes: [{ hostPath: '/etc', target: '/e', readOnly: true }] }),
      service('db', { volumes: [{ hostPath: '/proc', target: '/p', readOnly: true }] }),
    ]);
    try {
      enforcePolicy(d, BUILT_IN);
      assert.fail('expected a refusal');
    } catch (err) {
      assert.ok(err instanceof ManifestError);
      assert.equal(err.code, 'E_POLICY_DENIED');
      assert.equal(
        err.message,
        ['2 host policy violations:', `<root>:1:1 host path /etc ${HINT}`, `<root>:1:1 host path /proc ${HINT}`].join(
          '\n',
        ),
      );
    }
  });

  it('the default policy passes a repo without host mounts', () => {
    assert.deepEqual(
      violations({ 'web.yaml': serviceDoc('web', `  image: app:1\n  replicas: 50\n${mount('/srv/data')}`) }),
      [],
    );
    assert.ok(PROJECT);
  });
});
