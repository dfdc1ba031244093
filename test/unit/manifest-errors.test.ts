import { strict as assert } from 'node:assert';
import { issuesOf, serviceDoc, type Files } from '../fixtures/manifests/helpers.ts';

const doc = (kind: string, name: string, spec = '') =>
  `apiVersion: bosun/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n${spec === '' ? '' : `spec:\n${spec}`}`;

interface Case {
  name: string;
  files: Files;
  want: string[];
}

/** Each error class once, with the exact line a user would read. */
const schemaCases: Case[] = [
  {
    name: 'wrong type',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  replicas: "3"\n') },
    want: ['web.yaml:7:13 spec.replicas: must be integer'],
  },
  {
    name: 'unknown field, pointed at the key',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  replica: 3\n') },
    want: ['web.yaml:7:3 spec.replica: unknown field "replica"'],
  },
  {
    name: 'missing required field, pointed at the parent mapping',
    files: { 'web.yaml': serviceDoc('web', '  replicas: 2\n') },
    want: ['web.yaml:6:3 spec.image: is required'],
  },
  {
    name: 'missing metadata.name',
    files: { 'web.yaml': 'apiVersion: bosun/v1\nkind: Volume\nmetadata:\n  labels: {}\n' },
    want: ['web.yaml:4:3 metadata.name: is required'],
  },
  {
    name: 'invalid name',
    files: { 'web.yaml': serviceDoc('web-') },
    want: [
      'web.yaml:4:9 metadata.name: must be 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
    ],
  },
  {
    name: 'enum',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  update: { order: sideways }\n') },
    want: ['web.yaml:7:20 spec.update.order: must be one of start-first, stop-first'],
  },
  {
    name: 'number out of range, nested in a list',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  ports:\n    - container: 80\n      host: 70000\n') },
    want: ['web.yaml:9:13 spec.ports[0].host: must be <= 65535'],
  },
  {
    name: 'Project paths must stay inside the manifests folder',
    files: {
      'z.yaml': 'apiVersion: bosun/v1\nkind: Project\nmetadata: { name: shop }\nspec: { paths: [ok, ../up, /abs] }\n',
    },
    want: [
      'z.yaml:2:7 kind: only one Project is allowed (first declared at bosun.yaml:2)',
      'z.yaml:4:21 spec.paths[1]: must be a relative path without ".." segments',
      'z.yaml:4:28 spec.paths[2]: must be a relative path without ".." segments',
    ],
  },
  {
    name: 'unknown kind',
    files: { 'x.yaml': 'apiVersion: bosun/v1\nkind: Servce\nmetadata: { name: web }\n' },
    want: ['x.yaml:2:7 kind: unknown kind "Servce" (expected Project, Service, Config, Network or Volume)'],
  },
  {
    name: 'missing kind',
    files: { 'x.yaml': 'apiVersion: bosun/v1\nmetadata: { name: web }\n' },
    want: ['x.yaml:1:1 kind: is required'],
  },
  {
    name: 'unsupported bosun apiVersion',
    files: { 'x.yaml': 'kind: Service\napiVersion: bosun/v2\n' },
    want: ['x.yaml:2:13 apiVersion: unsupported apiVersion "bosun/v2" (expected bosun/v1)'],
  },
  {
    name: 'spec required for a Service, optional for a Volume',
    files: { 'x.yaml': `${doc('Service', 'web')}---\n${doc('Volume', 'data')}` },
    want: ['x.yaml:1:1 spec: is required'],
  },
  {
    name: 'empty spec',
    files: { 'x.yaml': `${doc('Config', 'web')}spec:\n` },
    want: ['x.yaml:5:1 spec: must be a mapping'],
  },
  {
    name: 'at most one of volume and hostPath (neither: an anonymous volume)',
    files: {
      'web.yaml': serviceDoc(
        'web',
        '  image: app:1\n  volumes:\n    - { target: /a }\n    - { volume: v, hostPath: /x, target: /b }\n',
      ),
    },
    want: ['web.yaml:9:7 spec.volumes[1]: must set at most one of volume, hostPath (neither: an anonymous volume)'],
  },
  {
    name: '.. in a path',
    files: {
      'web.yaml': serviceDoc('web', '  image: app:1\n  volumes: [ { hostPath: /srv/../etc, target: /data } ]\n'),
    },
    want: ['web.yaml:7:26 spec.volumes[0].hostPath: must be an absolute path without ".." segments'],
  },
  {
    name: 'duration',
    files: {
      'web.yaml': serviceDoc(
        'web',
        '  image: app:1\n  stopGracePeriod: 10\n  healthcheck: { cmd: [CMD, "true"], interval: 5 sec }\n',
      ),
    },
    want: [
      'web.yaml:7:20 spec.stopGracePeriod: must be a duration like 500ms, 2s, 1m30s or 1h',
      'web.yaml:8:48 spec.healthcheck.interval: must be a duration like 500ms, 2s, 1m30s or 1h',
    ],
  },
  {
    name: 'reserved label, pointed at the key',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  labels:\n    bosun.project: other\n') },
    want: ['web.yaml:8:5 spec.labels["bosun.project"]: label keys starting with "bosun." are reserved'],
  },
  {
    name: 'env value of the wrong type',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  env: { A: [1] }\n') },
    want: ['web.yaml:7:13 spec.env.A: must be string, number or boolean'],
  },
  {
    name: 'memory quantity and cpus',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  resources: { memory: 1GB, cpus: 0 }\n') },
    want: [
      'web.yaml:7:24 spec.resources.memory: must be bytes or a quantity like 256Mi, 1Gi or 512M',
      'web.yaml:7:35 spec.resources.cpus: must be between 0.01 and 1024',
    ],
  },
  {
    name: 'Config prefix and data keys',
    files: { 'c.yaml': doc('Config', 'web', '  prefix: /shop/web\n  data: { "a b": 1 }\n') },
    want: [
      'c.yaml:6:11 spec.prefix: must start and end with "/" and hold at least one segment, e.g. /shop/web/',
      'c.yaml:7:11 spec.data["a b"]: must contain only letters, digits, "_", "." and "-"',
    ],
  },
];

const documentCases: Case[] = [
  {
    name: "duration too long for a timer, memory below Docker's minimum, a target mounted twice",
    files: {
      'web.yaml': serviceDoc(
        'web',
        '  image: app:1\n  stopGracePeriod: 600h\n  resources: { memory: 1Mi }\n  volumes: [ { volume: v, target: /d }, { hostPath: /x, target: /d } ]\n',
      ),
      'v.yaml': 'apiVersion: bosun/v1\nkind: Volume\nmetadata: { name: v }\n',
    },
    want: [
      'web.yaml:7:20 spec.stopGracePeriod: is too long (the limit is 596h)',
      'web.yaml:8:24 spec.resources.memory: must be at least 6Mi (Docker refuses smaller limits)',
      'web.yaml:9:65 spec.volumes[1].target: "/d" is already mounted by spec.volumes[0]',
    ],
  },
  {
    name: 'host address, envFrom prefix, Network fields (references of an invalid document are not checked)',
    files: {
      'web.yaml': serviceDoc(
        'web',
        '  image: app:1\n  ports: [ { container: 80, hostIp: localhost } ]\n  envFrom: [ { config: c, prefix: "A-" } ]\n',
      ),
      'p.yaml': 'apiVersion: bosun/v1\nkind: Network\nmetadata: { name: n }\nspec: { driver: "", mode: x }\n',
    },
    want: [
      'p.yaml:4:17 spec.driver: must not be empty',
      'p.yaml:4:21 spec.mode: unknown field "mode"',
      'web.yaml:7:37 spec.ports[0].hostIp: must be an IPv4 or IPv6 address',
      'web.yaml:8:35 spec.envFrom[0].prefix: must contain only letters, digits and "_"',
    ],
  },
];

const crossCases: Case[] = [
  {
    name: 'duplicate name within a kind, naming the first',
    files: { 'a.yaml': serviceDoc('web'), 'b.yaml': `${doc('Volume', 'web')}---\n${serviceDoc('web')}` },
    want: ['b.yaml:9:9 metadata.name: duplicate Service "web" (first declared at a.yaml:4)'],
  },
  {
    name: 'second Project',
    files: { 'z.yaml': doc('Project', 'other') },
    want: ['z.yaml:2:7 kind: only one Project is allowed (first declared at bosun.yaml:2)'],
  },
  {
    name: 'dependsOn a missing service, and on itself',
    files: { 'web.yaml': serviceDoc('web', '  image: app:1\n  dependsOn: [db, web]\n') },
    want: [
      'web.yaml:7:15 spec.dependsOn[0]: no Service named "db"',
      'web.yaml:7:19 spec.dependsOn[1]: a service cannot depend on itself',
    ],
  },
  {
    name: 'dependency cycle',
    files: {
      'a.yaml': serviceDoc('a', '  image: app:1\n  dependsOn: [b]\n'),
      'b.yaml': serviceDoc('b', '  image: app:1\n  dependsOn: [c]\n'),
      'c.yaml': serviceDoc('c', '  image: app:1\n  dependsOn: [a]\n'),
    },
    want: ['a.yaml:7:15 spec.dependsOn[0]: dependency cycle: a → b → c → a'],
  },
  {
    name: 'two cycles, each reported once, from their smallest name',
    files: {
      'x.yaml': serviceDoc('x', '  image: app:1\n  dependsOn: [w]\n'),
      'w.yaml': serviceDoc('w', '  image: app:1\n  dependsOn: [y, x]\n'),
      'y.yaml': serviceDoc('y', '  image: app:1\n  dependsOn: [z]\n'),
      'z.yaml': serviceDoc('z', '  image: app:1\n  dependsOn: [y]\n'),
    },
    want: [
      'w.yaml:7:18 spec.dependsOn[1]: dependency cycle: w → x → w',
      'y.yaml:7:15 spec.dependsOn[0]: dependency cycle: y → z → y',
    ],
  },
  {
    name: 'envFrom a missing Config, mount of an undeclared Volume, undeclared network',
    files: {
      'web.yaml': serviceDoc(
        'web',
        '  image: app:1\n  envFrom: [ { config: web } ]\n  volumes: [ { volume: data, target: /data } ]\n  networks: [default, back]\n',
      ),
    },
    want: [
      'web.yaml:7:24 spec.envFrom[0].config: no Config named "web"',
      'web.yaml:8:24 spec.volumes[0].volume: no Volume named "data"',
      'web.yaml:9:23 spec.networks[1]: no Network named "back"',
    ],
  },
  {
    name: 'fixed host port with several replicas',
    files: {
      'web.yaml': serviceDoc('web', '  image: app:1\n  replicas: 2\n  ports: [ { container: 80, host: 8080 } ]\n'),
    },
    want: ['web.yaml:8:35 spec.ports[0].host: a fixed host port can serve only one replica'],
  },
  {
    name: 'host port used twice',
    files: {
      'a.yaml': serviceDoc('a', '  image: app:1\n  ports: [ { container: 80, host: 8080 } ]\n'),
      'b.yaml': serviceDoc(
        'b',
        '  image: app:1\n  ports: [ { container: 81, host: 8080 }, { container: 81, host: 8080, protocol: udp } ]\n',
      ),
    },
    want: ['b.yaml:7:35 spec.ports[0].host: host port 8080/tcp is already used by Service "a" (a.yaml:7)'],
  },
  {
    name: 'envFrom a secret Config (Docker shows every variable in docker inspect), the second entry only',
    files: {
      'web.yaml': serviceDoc('web', '  image: app:1\n  envFrom: [ { config: app }, { config: creds, prefix: DB_ } ]\n'),
      'c.yaml': `${doc('Config', 'app', '  prefix: /shop/app/\n  data: { LEVEL: info }\n')}---\n${doc('Config', 'creds', '  prefix: /shop/creds/\n  secret: true\n  data: { PASSWORD: hunter2 }\n')}`,
    },
    want: [
      'web.yaml:7:41 spec.envFrom[1].config: Config "creds" is secret and cannot be read through envFrom: environment variables show in docker inspect; mount it with spec.files instead (many images read VAR_FILE)',
    ],
  },
  {
    name: 'overlapping Config prefixes',
    files: {
      'c.yaml': `${doc('Config', 'web', '  prefix: /shop/web/\n  data: {}\n')}---\n${doc('Config', 'shop', '  prefix: /shop/\n  data: {}\n')}`,
    },
    want: ['c.yaml:14:11 spec.prefix: prefix /shop/ overlaps Config "web" (prefix /shop/web/, c.yaml:6)'],
  },
];

describe('manifest errors', () => {
  for (const c of [...schemaCases, ...documentCases, ...crossCases]) {
    it(c.name, () => assert.deepEqual(issuesOf(c.files), c.want));
  }
});
