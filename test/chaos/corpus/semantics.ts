/**
 * Well-formed YAML that means something hostile: paths escaping their roots, bosun's own key
 * namespace, unknown kinds, empty documents, prototype-pollution keys, broken references.
 */
import { docWith, hostileCase, PROJECT_DOC, serviceText, type HostileCase } from './build.ts';

const CONFIG_X1 =
  'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: x1}\nspec: {prefix: /chaos/x1/, data: {A: b}}\n';

export function pathCases(): HostileCase[] {
  const mount = (m: string) => serviceText(`  image: a\n  volumes: [${m}]\n`);
  const cases: [string, () => string][] = [
    ['hostPath ../../etc', () => mount('{hostPath: ../../etc, target: /data}')],
    ['hostPath /../etc', () => mount('{hostPath: /../etc, target: /data}')],
    ['hostPath /srv/../../etc', () => mount('{hostPath: /srv/../../etc, target: /data}')],
    ['hostPath /srv/..', () => mount('{hostPath: /srv/.., target: /data}')],
    ['hostPath relative', () => mount('{hostPath: etc, target: /data}')],
    ['hostPath ~', () => mount('{hostPath: ~/.ssh, target: /data}')],
    ['hostPath empty', () => mount('{hostPath: "", target: /data}')],
    ['hostPath with volume too', () => mount('{hostPath: /srv, volume: data, target: /data}')],
    ['target ../../etc', () => mount('{hostPath: /srv, target: ../../etc}')],
    ['target /data/../..', () => mount('{hostPath: /srv, target: /data/../..}')],
    ['target relative', () => mount('{hostPath: /srv, target: data}')],
    ['target ..', () => mount('{hostPath: /srv, target: ..}')],
    ['workingDir ../..', () => serviceText('  image: a\n  workingDir: ../..\n')],
    ['workingDir /app/../../..', () => serviceText('  image: a\n  workingDir: /app/../../..\n')],
    [
      'files target /etc/../../x',
      () => `${CONFIG_X1}---\n${serviceText('  image: a\n  files: [{config: x1, target: /etc/../../x}]\n')}`,
    ],
    [
      'files key ../../etc/passwd',
      () =>
        `${CONFIG_X1}---\n${serviceText('  image: a\n  files: [{config: x1, key: ../../etc/passwd, target: /etc/x}]\n')}`,
    ],
    [
      'Config data key ../x',
      () => 'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: /chaos/c/, data: {"../x": 1}}\n',
    ],
    [
      'Config prefix without slashes',
      () => 'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: chaos, data: {}}\n',
    ],
    [
      'Config prefix //',
      () => 'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: //, data: {}}\n',
    ],
    // accepted today: a Config may own bosun's own keys (pins, releases, owned-keys of any project)
    [
      'Config prefix in /bosun/ (own project)',
      () =>
        'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: /bosun/chaos/, data: {pin: "{}"}}\n',
    ],
    [
      'Config prefix in /bosun/ (other project)',
      () => 'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: /bosun/, data: {x: y}}\n',
    ],
    // accepted today: every key becomes a file under target, and ".." names the parent folder
    [
      'Config key .. written as a file',
      () =>
        `apiVersion: bosun/v1\nkind: Config\nmetadata: {name: x1}\nspec: {prefix: /chaos/x1/, data: {"..": x}}\n---\n${serviceText('  image: a\n  files: [{config: x1, target: /etc/app}]\n')}`,
    ],
  ];
  const project: [string, string][] = [
    ['Project paths ../up', '[../up]'],
    ['Project paths /abs', '[/etc]'],
    ['Project paths a/../../b', '[a/../../b]'],
    ['Project paths ..', '[..]'],
    ['Project paths empty string', '[""]'],
  ];
  return [
    ...cases.map(([id, text]) => hostileCase(`path/${id}`, text)),
    ...project.map(([id, paths]) => ({
      id: `path/${id}`,
      files: () => ({ 'bosun.yaml': `${PROJECT_DOC}spec: {paths: ${paths}}\n` }),
    })),
  ];
}

export function kindCases(): HostileCase[] {
  const doc = (apiVersion: string, kind: string) =>
    `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata: {name: web}\nspec: {image: a}\n`;
  const pairs: [string, string][] = [
    ['bosun/v1', 'Servce'],
    ['bosun/v1', 'service'],
    ['bosun/v1', 'SERVICE'],
    ['bosun/v1', 'Deployment'],
    ['bosun/v1', 'Pod'],
    ['bosun/v1', '42'],
    ['bosun/v1', 'null'],
    ['bosun/v1', '""'],
    ['bosun/v1', '__proto__'],
    ['bosun/v1', 'constructor'],
    ['bosun/v1', 'toString'],
    ['bosun/v2', 'Service'],
    ['bosun/v1beta1', 'Service'],
    ['bosun/', 'Service'],
    ['bosun/v1/../v2', 'Service'],
    ['"bosun/v1 "', 'Service'],
    ['bosun/V1', 'Service'],
  ];
  return [
    ...pairs.map(([api, kind]) => hostileCase(`kind/${api} ${kind}`, () => doc(api, kind))),
    hostileCase('kind/missing', () => 'apiVersion: bosun/v1\nmetadata: {name: web}\nspec: {image: a}\n'),
    hostileCase('kind/Service without metadata', () => 'apiVersion: bosun/v1\nkind: Service\nspec: {image: a}\n'),
  ];
}

/** A repo whose manifests are all empty is not a stack: there is no Project. */
export function emptyCases(): HostileCase[] {
  const only = (id: string, files: Record<string, string>) => ({ id: `empty/${id}`, files: () => files });
  return [
    only('empty file', { 'bosun.yaml': '' }),
    only('only ---', { 'bosun.yaml': '---\n---\n---\n' }),
    only('only comments', { 'bosun.yaml': '# nothing\n# here\n' }),
    only('only ~', { 'bosun.yaml': '~\n' }),
    only('only ...', { 'bosun.yaml': '...\n' }),
    only('whitespace', { 'bosun.yaml': '   \n\n\t\n' }),
    only('no YAML files', { 'README.md': '# hi\n', 'bosun.json': '{}' }),
    only('no files at all', {}),
    hostileCase(
      'empty/Service with empty spec',
      () => 'apiVersion: bosun/v1\nkind: Service\nmetadata: {name: web}\nspec:\n',
    ),
    hostileCase(
      'empty/Service with {} spec',
      () => 'apiVersion: bosun/v1\nkind: Service\nmetadata: {name: web}\nspec: {}\n',
    ),
    hostileCase('empty/only apiVersion', () => 'apiVersion: bosun/v1\n'),
    hostileCase('empty/metadata ~', () => 'apiVersion: bosun/v1\nkind: Volume\nmetadata: ~\n'),
    hostileCase('empty/empty name', () => 'apiVersion: bosun/v1\nkind: Volume\nmetadata: {name: }\n'),
    hostileCase('empty/empty image', () => serviceText('  image: ""\n')),
    hostileCase(
      'empty/empty documents around a bad one',
      () => `---\n---\n${serviceText('  image: a\n  replicas: -1\n')}---\n---\n`,
    ),
  ];
}

/** The loader turns YAML into plain objects: none of these may reach a prototype. */
export function prototypeCases(): HostileCase[] {
  const pollute = '{polluted: yes, image: evil, replicas: 1000}';
  const texts: [string, string][] = [
    [
      'top-level __proto__',
      `apiVersion: bosun/v1\nkind: Service\n__proto__: {metadata: {name: web}, spec: {image: a}}\n`,
    ],
    [
      'metadata.__proto__',
      `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  __proto__: {name: web}\nspec: {image: a}\n`,
    ],
    ['spec.__proto__', serviceText(`  __proto__: ${pollute}\n`)],
    ['spec.constructor.prototype', serviceText(`  image: a\n  constructor: {prototype: ${pollute}}\n`)],
    ['env.__proto__ object', serviceText(`  image: a\n  env: {__proto__: ${pollute}}\n`)],
    ['labels.__proto__ object', serviceText(`  image: a\n  labels: {__proto__: ${pollute}}\n`)],
    ['update.__proto__', serviceText(`  image: a\n  update: {__proto__: {parallelism: 0}}\n`)],
    ['healthcheck.__proto__', serviceText(`  image: a\n  healthcheck: {__proto__: {cmd: [true]}}\n`)],
    ['ports[0].__proto__', serviceText(`  image: a\n  ports: [{__proto__: {container: 80}}]\n`)],
    [
      'merge of __proto__',
      `${'apiVersion: bosun/v1\nkind: Service\nmetadata: {name: web}\n'}x: &x {__proto__: ${pollute}}\nspec: {<<: *x}\n`,
    ],
    [
      'Config data __proto__ object (and a bad secret)',
      'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: /chaos/c/, data: {__proto__: {polluted: yes}}, secret: maybe}\n',
    ],
    ['Project spec.__proto__', ''],
    ['prototype as a field', serviceText('  image: a\n  prototype: {polluted: yes}\n')],
    ['hasOwnProperty as a field', serviceText('  image: a\n  hasOwnProperty: 1\n')],
    ['toString in metadata', `apiVersion: bosun/v1\nkind: Volume\nmetadata: {name: v, toString: 1}\n`],
  ];
  return texts.map(([id, text]) =>
    id === 'Project spec.__proto__'
      ? { id: `proto/${id}`, files: () => ({ 'bosun.yaml': `${PROJECT_DOC}spec: {__proto__: {prune: false}}\n` }) }
      : hostileCase(`proto/${id}`, () => text),
  );
}

export function referenceCases(): HostileCase[] {
  const svc = (name: string, spec: string) => serviceText(`  image: a\n${spec}`, name);
  return [
    hostileCase('ref/dependsOn unknown', () => svc('web', '  dependsOn: [db]\n')),
    hostileCase('ref/dependsOn itself', () => svc('web', '  dependsOn: [web]\n')),
    hostileCase(
      'ref/two-service cycle',
      () => `${svc('a', '  dependsOn: [b]\n')}---\n${svc('b', '  dependsOn: [a]\n')}`,
    ),
    hostileCase('ref/envFrom unknown Config', () => svc('web', '  envFrom: [{config: nope}]\n')),
    hostileCase('ref/files unknown Config', () => svc('web', '  files: [{config: nope, target: /x}]\n')),
    hostileCase('ref/unknown Volume', () => svc('web', '  volumes: [{volume: nope, target: /x}]\n')),
    hostileCase('ref/unknown Network', () => svc('web', '  networks: [nope]\n')),
    hostileCase(
      'ref/host port taken twice',
      () =>
        `${svc('a', '  ports: [{container: 80, host: 8080}]\n')}---\n${svc('b', '  ports: [{container: 80, host: 8080}]\n')}`,
    ),
    hostileCase('ref/fixed host port with 2 replicas', () =>
      svc('web', '  replicas: 2\n  ports: [{container: 80, host: 8080}]\n'),
    ),
    hostileCase(
      'ref/overlapping Config prefixes',
      () =>
        `${docWith('Config', 'spec.prefix', '/chaos/')}---\n${docWith('Config', 'metadata.name', 'x2').replace('/chaos/x1/', '/chaos/x1/sub/')}`,
    ),
    hostileCase('ref/reserved bosun. label', () => svc('web', '  labels: {bosun.project: other}\n')),
    hostileCase('ref/env name with =', () => svc('web', '  env: {"A=B": c}\n')),
  ];
}
