/**
 * Field-level corruption, generated from a table of every field and its type: each field gets
 * every value of the wrong type, then out-of-range numbers, hostile names and escaping paths.
 */
import { docWith, HOSTILE, hostileCase, type HostileCase } from './build.ts';

type FieldType =
  | 'string'
  | 'integer'
  | 'number'
  | 'boolean'
  | 'array'
  | 'object'
  | 'scalar'
  | 'stringList'
  | 'duration';

const WRONG: Record<FieldType, unknown[]> = {
  string: [42, true, ['a'], { a: 1 }, null],
  integer: ['3', true, [3], { n: 3 }, 1.5, null],
  number: ['0.5', true, [1], { n: 1 }, null],
  boolean: ['yes', 1, [true], { on: true }, null],
  array: ['x', 7, { a: 1 }, true, null],
  object: ['x', 7, ['a'], true, null],
  /** env values: string, number or boolean */
  scalar: [['a'], { a: 1 }, null],
  stringList: [[1], [['a']], [{ a: 1 }], [null], [true]],
  duration: [10, '10', '10 s', '-1s', '1.5s', '1d', '', true, null],
};

/** [kind, dotted path, type]; nested paths seed their parents with valid siblings. */
const FIELDS: [string, string, FieldType][] = [
  ['Service', 'spec.image', 'string'],
  ['Service', 'spec.replicas', 'integer'],
  ['Service', 'spec.command', 'array'],
  ['Service', 'spec.command', 'stringList'],
  ['Service', 'spec.entrypoint', 'array'],
  ['Service', 'spec.env', 'object'],
  ['Service', 'spec.envFrom', 'array'],
  ['Service', 'spec.files', 'array'],
  ['Service', 'spec.ports', 'array'],
  ['Service', 'spec.volumes', 'array'],
  ['Service', 'spec.networks', 'array'],
  ['Service', 'spec.networks', 'stringList'],
  ['Service', 'spec.healthcheck', 'object'],
  ['Service', 'spec.dependsOn', 'array'],
  ['Service', 'spec.update', 'object'],
  ['Service', 'spec.restart', 'string'],
  ['Service', 'spec.resources', 'object'],
  ['Service', 'spec.labels', 'object'],
  ['Service', 'spec.stopGracePeriod', 'duration'],
  ['Service', 'spec.user', 'string'],
  ['Service', 'spec.workingDir', 'string'],
  ['Service', 'spec.healthcheck.cmd', 'stringList'],
  ['Service', 'spec.healthcheck.interval', 'duration'],
  ['Service', 'spec.healthcheck.retries', 'integer'],
  ['Service', 'spec.update.parallelism', 'integer'],
  ['Service', 'spec.update.order', 'string'],
  ['Service', 'spec.update.delay', 'duration'],
  ['Service', 'spec.update.failureAction', 'string'],
  ['Service', 'spec.resources.cpus', 'number'],
  ['Service', 'spec.ports.0.container', 'integer'],
  ['Service', 'spec.ports.0.protocol', 'string'],
  ['Service', 'spec.ports.0.hostIp', 'string'],
  ['Service', 'spec.volumes.0.target', 'string'],
  ['Service', 'spec.volumes.0.readOnly', 'boolean'],
  ['Service', 'spec.envFrom.0.prefix', 'string'],
  ['Service', 'spec.files.0.mode', 'integer'],
  ['Service', 'spec.env.K', 'scalar'],
  ['Service', 'metadata', 'object'],
  ['Service', 'metadata.name', 'string'],
  ['Service', 'metadata.labels', 'object'],
  ['Service', 'spec', 'object'],
  ['Project', 'spec.paths', 'array'],
  ['Project', 'spec.paths', 'stringList'],
  ['Project', 'spec.prune', 'boolean'],
  ['Project', 'spec.update', 'object'],
  ['Config', 'spec.prefix', 'string'],
  ['Config', 'spec.data', 'object'],
  ['Config', 'spec.secret', 'boolean'],
  ['Network', 'spec.driver', 'string'],
  ['Network', 'spec.internal', 'boolean'],
  ['Network', 'spec.labels', 'object'],
  ['Volume', 'spec.driver', 'string'],
  ['Volume', 'spec.labels', 'object'],
];

/** Valid siblings, so the only problem in the document is the field under test. */
const SEEDS: Record<string, Record<string, unknown>> = {
  'spec.healthcheck': { 'spec.healthcheck.cmd': ['true'] },
  'spec.ports.0': { 'spec.ports.0.container': 80 },
  'spec.volumes.0': { 'spec.volumes.0.hostPath': '/srv/data', 'spec.volumes.0.target': '/data' },
  'spec.envFrom.0': { 'spec.envFrom.0.config': 'x1' },
  'spec.files.0': { 'spec.files.0.config': 'x1', 'spec.files.0.target': '/etc/x' },
};

function seedFor(path: string): Record<string, unknown> {
  const parent = Object.keys(SEEDS).find((p) => path.startsWith(`${p}.`));
  return parent ? SEEDS[parent]! : {};
}

/** envFrom/files name Config "x1": declare it, so the reference itself is not the error. */
const CONFIG_X1 = { 'config.yaml': docWith('Config', 'metadata.name', 'x1') };

function show(v: unknown): string {
  return v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : (JSON.stringify(v) ?? String(v));
}

export function wrongTypeCases(): HostileCase[] {
  return FIELDS.flatMap(([kind, path, type]) =>
    WRONG[type].map((value): HostileCase => {
      const id = `type/${kind}.${path}=${show(value)}`;
      const text = () => docWith(kind, path, value, seedFor(path));
      // a broken Project must be the only one, or "only one Project" would be all it reports
      if (kind === 'Project') return { id, files: () => ({ [HOSTILE]: text() }) };
      return hostileCase(id, text, kind === 'Service' ? CONFIG_X1 : {});
    }),
  );
}

/** Numbers at and past every edge: IEEE-754 extremes, 2^64, negatives, non-finite. */
const HUGE: [string, string][] = [
  ['spec.replicas', '1e308'],
  ['spec.replicas', '18446744073709551616'],
  ['spec.replicas', '9007199254740993'],
  ['spec.replicas', '-1'],
  ['spec.replicas', '-9223372036854775808'],
  ['spec.replicas', '1001'],
  ['spec.replicas', '.inf'],
  ['spec.replicas', '-.inf'],
  ['spec.replicas', '.nan'],
  ['spec.replicas', '0xffffffffffffffffffff'],
  ['spec.replicas', '0o7777777777777777777777'],
  ['spec.replicas', '1e-308'],
  ['spec.replicas', '2.5'],
  ['spec.ports', '[{ container: 0 }]'],
  ['spec.ports', '[{ container: 65536 }]'],
  ['spec.ports', '[{ container: 80, host: 18446744073709551616 }]'],
  ['spec.ports', '[{ container: 80, host: -1 }]'],
  ['spec.ports', '[{ container: 1e308 }]'],
  ['spec.healthcheck', '{ cmd: ["true"], retries: 1e308 }'],
  ['spec.healthcheck', '{ cmd: ["true"], retries: 0 }'],
  ['spec.healthcheck', '{ cmd: ["true"], interval: 99999999999999999999999h }'],
  ['spec.healthcheck', '{ cmd: ["true"], startPeriod: 1e308s }'],
  ['spec.healthcheck', '{ cmd: [] }'],
  ['spec.update', '{ parallelism: 0 }'],
  ['spec.update', '{ parallelism: -1 }'],
  ['spec.update', '{ delay: 99999999999999999999999h }'],
  ['spec.update', '{ monitor: 18446744073709551616ms }'],
  ['spec.stopGracePeriod', '99999999999999999999999h'],
  ['spec.resources', '{ memory: 1e308 }'],
  ['spec.resources', '{ memory: 18446744073709551616 }'],
  ['spec.resources', '{ memory: 0 }'],
  ['spec.resources', '{ memory: -1 }'],
  ['spec.resources', '{ memory: 99999999999999999999Ti }'],
  ['spec.resources', '{ cpus: -1 }'],
  ['spec.resources', '{ cpus: 0 }'],
  ['spec.resources', '{ cpus: .nan }'],
  ['spec.resources', '{ cpus: .inf }'],
  // accepted today: cpus * 1e9 is Infinity (JSON null: no limit at all) or rounds to 0 (unlimited)
  ['spec.resources', '{ cpus: 1e308 }'],
  ['spec.resources', '{ cpus: 1e-300 }'],
  ['spec.files', '[{ config: x1, target: /etc/x, mode: 1e308 }]'],
  ['spec.files', '[{ config: x1, target: /etc/x, mode: -1 }]'],
  ['spec.files', '[{ config: x1, target: /etc/x, mode: 0o7777 }]'],
  ['spec.env', '{ A: .nan }'],
  ['spec.env', '{ A: -.inf }'],
];

export function hugeNumberCases(): HostileCase[] {
  return HUGE.map(([field, value]) =>
    hostileCase(`number/${field}: ${value}`, () => {
      const key = field.slice('spec.'.length);
      return `${docWith('Config', 'metadata.name', 'x1')}---\n${serviceLine(key, value)}`;
    }),
  );
}

function serviceLine(key: string, value: string): string {
  const image = key === 'image' ? '' : '  image: bosun-test/busybox:1\n';
  return `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\nspec:\n${image}  ${key}: ${value}\n`;
}

/** metadata.name must be a DNS-label-like name: it becomes part of container names. */
const BAD_NAMES = [
  'Web',
  'WEB',
  'web/api',
  'web\\api',
  '..',
  '.',
  '../../etc',
  '',
  ' ',
  '-web',
  'web-',
  'web_api',
  'web.api',
  'web api',
  'wéb',
  'ѡeb',
  'web\u200b',
  '\u202eweb',
  'web\n',
  'web\t',
  'web;rm -rf /',
  '$(id)',
  'a'.repeat(64),
  'a'.repeat(100_000),
  '0x1F',
  '__proto__',
];

export function nameCases(): HostileCase[] {
  const kinds = ['Service', 'Config', 'Network', 'Volume', 'Project'];
  return BAD_NAMES.map((name, i) => {
    const kind = kinds[i % kinds.length]!;
    // a second Project would be its own error: the bad-named Project is the only one
    if (kind === 'Project')
      return {
        id: `name/${kind} ${show(name).slice(0, 40)}`,
        files: () => ({ 'p.yaml': docWith(kind, 'metadata.name', name) }),
      };
    return hostileCase(`name/${kind} ${show(name).slice(0, 40)}`, () => docWith(kind, 'metadata.name', name));
  });
}

/** References use the same name rules: a hostile name must not reach the engine through them. */
const BAD_REFS: [string, unknown][] = [
  ['spec.dependsOn', ['../db']],
  ['spec.dependsOn', ['Db']],
  ['spec.networks', ['host']],
  ['spec.networks', ['../bridge']],
  ['spec.envFrom', [{ config: '../../x1' }]],
  ['spec.volumes', [{ volume: '/var/lib/docker', target: '/data' }]],
];

export function referenceNameCases(): HostileCase[] {
  return BAD_REFS.map(([path, value]) =>
    hostileCase(`name/ref ${path}=${show(value)}`, () => docWith('Service', path, value)),
  );
}
