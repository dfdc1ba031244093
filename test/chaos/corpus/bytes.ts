/**
 * Byte-level attacks: invalid UTF-8, other encodings, control characters, binary garbage and
 * sizes at and far past the limits (including inputs whose cost grows with their size).
 */
import { bytes, hostileCase, randomBytes, serviceText, type HostileCase } from './build.ts';

const HEAD = 'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\n';

export function encodingCases(): HostileCase[] {
  const withBytes = (id: string, bad: number[]) =>
    hostileCase(`utf8/${id}`, () => bytes(HEAD, 'spec:\n  image: a', bad, '\n'));
  return [
    withBytes('0xff', [0xff]),
    withBytes('0xfe 0xff', [0xfe, 0xff]),
    withBytes('lone continuation byte', [0x80]),
    withBytes('overlong "/"', [0xc0, 0xaf]),
    withBytes('overlong NUL', [0xe0, 0x80, 0x80]),
    withBytes('UTF-16 surrogate as UTF-8', [0xed, 0xa0, 0x80]),
    withBytes('code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]),
    withBytes('5-byte sequence', [0xf8, 0x88, 0x80, 0x80, 0x80]),
    hostileCase('utf8/truncated sequence at EOF', () => bytes(HEAD, 'spec:\n  image: a', [0xe2, 0x82])),
    hostileCase('utf8/invalid byte on line 500', () => bytes('# pad\n'.repeat(499), [0xff], '\n', HEAD)),
    hostileCase('utf8/latin-1 text', () => bytes(HEAD, 'spec:\n  image: caf', [0xe9], '\n')),
    hostileCase('utf8/UTF-16LE with BOM', () => Buffer.from(`\ufeff${HEAD}spec: {image: a}\n`, 'utf16le')),
    hostileCase('utf8/UTF-16BE with BOM', () => Buffer.from(`\ufeff${HEAD}spec: {image: a}\n`, 'utf16le').swap16()),
    hostileCase('utf8/UTF-32 garbage', () =>
      bytes(
        [0x00, 0x00, 0xfe, 0xff],
        HEAD.split('').flatMap((c) => [0, 0, 0, c.charCodeAt(0)]),
      ),
    ),
    hostileCase('utf8/BOM then invalid', () => bytes([0xef, 0xbb, 0xbf], HEAD, [0xc3, 0x28])),
    hostileCase('control/NUL in a value', () => bytes(HEAD, 'spec:\n  image: a', [0x00], 'b\n')),
    hostileCase('control/NUL in kind', () =>
      bytes('apiVersion: bosun/v1\nkind: Service', [0x00], '\nmetadata: {name: web}\n'),
    ),
    hostileCase(
      'control/ESC sequences in a name',
      () => `${HEAD.replace('name: web', 'name: "\\e[31mweb\\e[0m"')}spec: {image: a}\n`,
    ),
    hostileCase('control/raw 0x01 in text', () => bytes(HEAD, 'spec:\n  image: a', [0x01], '\n')),
    hostileCase('control/DEL and C1 controls', () => serviceText('  image: "a\\x7f\\x85"\n  replicas: -1\n')),
    hostileCase('control/bidi override', () =>
      serviceText('  image: a\n  labels: {"\u202eevil": x}\n  replicas: -1\n'),
    ),
    hostileCase('control/CR-only newlines', () => `${HEAD}spec:\r  image: a\r  replicas: -1\r`),
  ];
}

export function garbageCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const [seed, size] of [
    [1, 64],
    [2, 4096],
    [3, 65536],
    [4, 1_000_000],
  ] as const) {
    out.push(hostileCase(`garbage/random ${size} bytes`, () => randomBytes(seed, size)));
    out.push(
      hostileCase(`garbage/bosun header + random ${size} bytes`, () =>
        bytes(
          HEAD,
          randomBytes(seed + 100, size).reduce((a, b) => `${a}${String.fromCharCode(32 + (b % 95))}`, ''),
        ),
      ),
    );
  }
  out.push(hostileCase('garbage/ELF header', () => bytes([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], randomBytes(7, 256))));
  out.push(hostileCase('garbage/gzip stream', () => bytes([0x1f, 0x8b, 0x08, 0x00], randomBytes(8, 512))));
  out.push(
    hostileCase('garbage/PNG', () => bytes([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], randomBytes(9, 512))),
  );
  out.push(hostileCase('garbage/all 256 byte values', () => Uint8Array.from({ length: 256 }, (_, i) => i)));
  return out;
}

/** 10 MB and the 1 MiB edge, then inputs just under the limit whose cost is not linear. */
export function sizeCases(): HostileCase[] {
  return [
    hostileCase('size/10 MB file', () => bytes(HEAD, 'spec:\n  image: a\n#', 'x'.repeat(10_000_000), '\n')),
    hostileCase('size/1 MiB + 1 byte', () => HEAD + 'spec: {image: a}\n#'.padEnd(1024 * 1024 + 1 - HEAD.length, 'x')),
    hostileCase(
      'size/100k-char name',
      () => HEAD.replace('name: web', `name: ${'a'.repeat(100_000)}`) + 'spec: {image: a}\n',
    ),
    hostileCase('size/900k-char string', () => serviceText(`  image: "${'x'.repeat(900_000)}"\n  replicas: -1\n`)),
    hostileCase('size/500k-char key', () => serviceText(`  image: a\n  ${'k'.repeat(500_000)}: 1\n`)),
    hostileCase('size/300k comment lines', () => `${'#\n'.repeat(300_000)}${HEAD}`),
    hostileCase('size/10k invalid documents', () =>
      Array(10_000).fill('apiVersion: bosun/v1\nkind: Service\n').join('---\n'),
    ),
    hostileCase('size/5000 duplicate Volumes', () =>
      Array(5_000).fill('{apiVersion: bosun/v1, kind: Volume, metadata: {name: v}}').join('\n---\n'),
    ),
    hostileCase('size/20k invalid ports', () =>
      serviceText(`  image: a\n  ports:\n${'    - {container: 0}\n'.repeat(20_000)}`),
    ),
    hostileCase('size/3000-service dependsOn cycle', () =>
      Array.from(
        { length: 3_000 },
        (_, i) =>
          `{apiVersion: bosun/v1, kind: Service, metadata: {name: s${i}}, spec: {image: a, dependsOn: [s${(i + 1) % 3_000}]}}`,
      ).join('\n---\n'),
    ),
    // found by this corpus: yaml's duplicate-key check is quadratic in the keys of one mapping
    hostileCase('size/40k env keys (quadratic parse)', () =>
      serviceText(
        `  image: a\n  replicas: -1\n  env:\n${Array.from({ length: 40_000 }, (_, i) => `    K${i}: v`).join('\n')}\n`,
      ),
    ),
    // found by this corpus: >~125k issues in one document overflow `issues.push(...spread)`
    hostileCase('size/150k wrong-typed list items (issue flood)', () =>
      serviceText(`  image: a\n  command: [${Array(150_000).fill('1').join(',')}]\n`),
    ),
  ];
}
