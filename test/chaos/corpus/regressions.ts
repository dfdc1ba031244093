/**
 * Cases found while fixing the first corpus: costs that grew with the square of the input
 * (each was minutes in the loader), and types or bytes that slipped through by another door.
 */
import { bytes, hostileCase, serviceText, type HostileCase } from './build.ts';

const lines = (n: number, line: (i: number) => string) => Array.from({ length: n }, (_, i) => line(i)).join('\n');
const CONFIG_X1 =
  'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: x1}\nspec: {prefix: /chaos/x1/, data: {A: b}}\n';

/** ajv merged the errors of $ref'ed definitions with concat, yaml rescanned per alias. */
export function quadraticCases(): HostileCase[] {
  return [
    hostileCase('quadratic/30k mounts failing oneOf', () =>
      serviceText(`  image: a\n  volumes:\n${'    - {target: /x}\n'.repeat(30_000)}`),
    ),
    hostileCase('quadratic/30k invalid dependsOn names', () =>
      serviceText(`  image: a\n  dependsOn:\n${'    - Bad\n'.repeat(30_000)}`),
    ),
    hostileCase('quadratic/20k env values of the wrong type', () =>
      serviceText(`  image: a\n  env:\n${lines(20_000, (i) => `    K${i}: [x]`)}\n`),
    ),
    hostileCase('quadratic/20k anchors used once each', () =>
      serviceText(`  image: a\n  replicas: -1\n  command:\n${lines(20_000, (i) => `    - &a${i} x\n    - *a${i}`)}\n`),
    ),
    hostileCase('quadratic/20k aliases of one anchor', () =>
      serviceText(`  image: a\n  user: &u x\n  command: [${Array(20_000).fill('*u').join(',')}]\n`),
    ),
    hostileCase('quadratic/3000 documents with bad durations', () =>
      Array.from(
        { length: 3_000 },
        (_, i) =>
          `apiVersion: bosun/v1\nkind: Service\nmetadata: {name: s${i}}\nspec: {image: a, healthcheck: {cmd: [x], interval: 1d}}\n`,
      ).join('---\n'),
    ),
  ];
}

/** Ways around the YAML 1.2 core types, duplicate keys and the nesting limit. */
export function doorCases(): HostileCase[] {
  return [
    hostileCase(
      'door/!!set env under %YAML 1.1',
      () => `%YAML 1.1\n---\n${serviceText('  image: a\n  env: !!set {A, B}\n')}`,
    ),
    hostileCase(
      'door/<< merge over image under %YAML 1.1',
      () =>
        `%YAML 1.1\n---\napiVersion: bosun/v1\nkind: Service\nmetadata: {name: web}\nbase: &b {image: evil}\nspec: {image: a, <<: *b}\n`,
    ),
    hostileCase(
      'door/!!timestamp under %YAML 1.1',
      () => `%YAML 1.1\n---\n${serviceText('  image: a\n  labels: {when: !!timestamp 2001-12-14}\n')}`,
    ),
    hostileCase('door/!!binary image', () => serviceText('  image: !!binary YWJj\n')),
    hostileCase('door/alias key repeating image', () => serviceText('  x: &k image\n  image: a\n  *k : evil\n')),
    hostileCase('door/keys 1 and "1"', () => serviceText('  image: a\n  env: {1: a, "1": b}\n')),
    hostileCase('door/keys true and "true"', () => serviceText('  image: a\n  labels: {true: a, "true": b}\n')),
    hostileCase('door/duplicate key in an anchored map', () =>
      serviceText('  image: a\n  env: &e {A: 1, A: 2}\n  labels: *e\n'),
    ),
    hostileCase('door/flow nesting 101', () =>
      serviceText(`  image: a\n  command: ${'['.repeat(101)}x${']'.repeat(101)}\n`),
    ),
    hostileCase('door/block nesting 120', () =>
      serviceText(`  image: a\n  labels:\n${lines(120, (i) => `${' '.repeat(i + 4)}k${i}:`)} x\n`),
    ),
    hostileCase('door/update.parallelism 1e6', () => serviceText('  image: a\n  update: {parallelism: 1000000}\n')),
    hostileCase('door/memory 2000Ti', () => serviceText('  image: a\n  resources: {memory: 2000Ti}\n')),
    hostileCase('door/memory 1e300 bytes', () => serviceText('  image: a\n  resources: {memory: 1e300}\n')),
    hostileCase('door/cpus 0.001', () => serviceText('  image: a\n  resources: {cpus: 0.001}\n')),
    hostileCase(
      'door/Config prefix /bosun/ exactly',
      () => 'apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec: {prefix: /bosun/, data: {}}\n',
    ),
    hostileCase(
      'door/Config key . with files',
      () =>
        `apiVersion: bosun/v1\nkind: Config\nmetadata: {name: x1}\nspec: {prefix: /chaos/x1/, data: {".": x}}\n---\n${serviceText('  image: a\n  files: [{config: x1, target: /etc/app}]\n')}`,
    ),
    hostileCase(
      'door/files key ..',
      () => `${CONFIG_X1}---\n${serviceText('  image: a\n  files: [{config: x1, key: "..", target: /etc/x}]\n')}`,
    ),
  ];
}

/** Raw characters YAML 1.2 does not allow in a stream, each in an otherwise valid manifest. */
export function rawCharacterCases(): HostileCase[] {
  const raw: [string, number[]][] = [
    ['vertical tab', [0x0b]],
    ['form feed', [0x0c]],
    ['ESC', [0x1b]],
    ['DEL', [0x7f]],
    ['C1 0x80', [0xc2, 0x80]],
    ['C1 CSI 0x9b', [0xc2, 0x9b]],
    ['U+FFFE', [0xef, 0xbf, 0xbe]],
    ['U+FFFF', [0xef, 0xbf, 0xbf]],
  ];
  return [
    ...raw.map(([id, b]) => hostileCase(`control/raw ${id}`, () => bytes(serviceText('  image: a'), b, '\n'))),
    hostileCase('control/NUL in a comment', () => bytes(serviceText('  image: a # x'), [0x00], '\n')),
    hostileCase("control/NUL in another tool's YAML", () => bytes('services:\n  web: {image: a', [0x00], '}\n')),
  ];
}
