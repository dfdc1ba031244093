/**
 * Attacks on the YAML layer itself: nesting, alias expansion, duplicate keys, tags, tabs,
 * directives and broken syntax. Each text claims `apiVersion: bosun/v1` (or is broken before
 * it could), so bosun cannot skip it as another tool's YAML.
 */
import { hostileCase, serviceText, type HostileCase } from './build.ts';

const HEAD = 'apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\n';

function nest(depth: number, open: string, close: string, leaf = '1'): string {
  return open.repeat(depth) + leaf + close.repeat(depth);
}

/** Block-style nesting: each level one line deeper ("- - - - 1" keeps the file small). */
function blockSeq(depth: number): string {
  return `${HEAD}spec:\n  image: a\n  command:\n    ${'- '.repeat(depth)}x\n`;
}

function blockMap(depth: number): string {
  const lines = Array.from({ length: depth }, (_, i) => `${' '.repeat(i + 4)}k${i}:`);
  return `${HEAD}spec:\n  image: a\n  labels:\n${lines.join('\n')} x\n`;
}

export function nestingCases(): HostileCase[] {
  const out: HostileCase[] = [];
  for (const depth of [1_000, 10_000, 100_000]) {
    out.push(
      hostileCase(`nest/flow seq ${depth}`, () => serviceText(`  image: a\n  command: ${nest(depth, '[', ']')}\n`)),
    );
    out.push(
      hostileCase(`nest/flow map ${depth}`, () => serviceText(`  image: a\n  env: ${nest(depth, '{a: ', '}')}\n`)),
    );
    out.push(
      hostileCase(
        `nest/config data ${depth}`,
        () =>
          `apiVersion: bosun/v1\nkind: Config\nmetadata: {name: c}\nspec:\n  prefix: /c/\n  data: {a: ${nest(depth, '[', ']')}}\n`,
      ),
    );
  }
  out.push(hostileCase('nest/block seq 10000', () => blockSeq(10_000)));
  out.push(hostileCase('nest/block map 1400', () => blockMap(1_400)));
  out.push(
    hostileCase(
      'nest/metadata 10000',
      () => `apiVersion: bosun/v1\nkind: Service\nmetadata: ${nest(10_000, '{a: ', '}')}\nspec: {image: a}\n`,
    ),
  );
  out.push(hostileCase('nest/whole document 10000', () => `${nest(10_000, '[', ']')}\n`));
  out.push(hostileCase('nest/mixed 10000', () => serviceText(`  image: a\n  env: ${nest(5_000, '{a: [', ']}')}\n`)));
  return out;
}

/** "Billion laughs": ten aliases per level, seven levels, 10^7 nodes when expanded. */
function laughs(levels: number, inBosunDoc: boolean): string {
  const lines = ['a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
  for (let i = 1; i < levels; i++)
    lines.push(
      `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]`,
    );
  const body = lines.join('\n');
  return inBosunDoc ? `${HEAD}spec:\n  image: a\n  x-bomb:\n${body.replace(/^/gm, '    ')}\n` : `${body}\n`;
}

export function aliasCases(): HostileCase[] {
  return [
    hostileCase('alias/billion laughs (other YAML)', () => laughs(9, false)),
    hostileCase('alias/billion laughs (bosun doc)', () => laughs(9, true)),
    hostileCase(
      'alias/bomb in env',
      () =>
        `${HEAD}x: &a [1,1,1,1,1,1,1,1,1,1]\ny: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nz: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nspec:\n  image: a\n  command: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
    ),
    hostileCase(
      'alias/merge-key bomb',
      () =>
        `${HEAD}x1: &x1 {a: 1, b: 2}\nx2: &x2 {<<: [*x1, *x1, *x1, *x1, *x1]}\nx3: &x3 {<<: [*x2, *x2, *x2, *x2, *x2]}\nx4: &x4 {<<: [*x3, *x3, *x3, *x3, *x3]}\nspec: {<<: [*x4, *x4, *x4, *x4, *x4], image: a}\n`,
    ),
    hostileCase('alias/undefined anchor', () => serviceText('  image: *nowhere\n')),
    hostileCase('alias/used before its anchor', () => serviceText('  image: *img\n  user: &img root\n')),
    hostileCase('alias/self-reference', () => serviceText('  image: a\n  command: &c [*c]\n')),
    hostileCase('alias/as a mapping key', () => `${HEAD}k: &k image\nspec:\n  *k : a\n  *k : b\n`),
    hostileCase('alias/anchor on the document', () => `--- &doc\n${HEAD}spec: {image: a, labels: *doc}\n`),
    hostileCase('alias/200 distinct aliases', () =>
      serviceText(`  image: &i a\n  command: [${Array(200).fill('*i').join(', ')}]\n`),
    ),
  ];
}

export function duplicateKeyCases(): HostileCase[] {
  return [
    hostileCase(
      'dup/top-level kind',
      () => `apiVersion: bosun/v1\nkind: Service\nkind: Volume\nmetadata: {name: web}\nspec: {image: a}\n`,
    ),
    hostileCase(
      'dup/apiVersion',
      () => `apiVersion: bosun/v1\napiVersion: bosun/v2\nkind: Volume\nmetadata: {name: v}\n`,
    ),
    hostileCase(
      'dup/metadata.name',
      () => `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: web\n  name: api\nspec: {image: a}\n`,
    ),
    hostileCase('dup/spec.image', () => serviceText('  image: a\n  image: b\n')),
    hostileCase('dup/flow mapping', () => serviceText('  image: a\n  env: {A: 1, A: 2}\n')),
    hostileCase('dup/quoted vs plain key', () => serviceText('  image: a\n  env:\n    A: 1\n    "A": 2\n')),
    hostileCase('dup/spec twice', () => `${HEAD}spec: {image: a}\nspec: {image: b}\n`),
    hostileCase('dup/1000 copies of one key', () => serviceText(`  image: a\n  env:\n${'    A: 1\n'.repeat(1000)}`)),
    hostileCase('dup/case-different field', () => serviceText('  image: a\n  Image: b\n')),
    hostileCase('dup/same service in two files', () => serviceText('  image: a\n'), {
      'again.yaml': serviceText('  image: b\n'),
    }),
    hostileCase('dup/two Projects', () => 'apiVersion: bosun/v1\nkind: Project\nmetadata: {name: other}\n'),
  ];
}

export function tagCases(): HostileCase[] {
  return [
    hostileCase('tag/!!binary image', () => serviceText('  image: !!binary aGVsbG8=\n')),
    hostileCase('tag/!!timestamp image', () => serviceText('  image: !!timestamp 2001-12-14\n')),
    hostileCase('tag/!!int on text', () => serviceText('  image: a\n  replicas: !!int "three"\n')),
    hostileCase('tag/!!float replicas', () => serviceText('  image: a\n  replicas: !!float 2\n')),
    hostileCase('tag/!!map on a list', () => serviceText('  image: a\n  env: !!map [a, b]\n')),
    hostileCase('tag/!!seq on a map', () => serviceText('  image: a\n  command: !!seq {a: b}\n')),
    hostileCase('tag/!!python/object', () =>
      serviceText('  image: !!python/object/apply:os.system ["id"]\n  replicas: -1\n'),
    ),
    hostileCase('tag/!!js/function', () =>
      serviceText('  image: a\n  replicas: !!js/function "function(){ return 1 }"\n'),
    ),
    hostileCase('tag/local !Ref', () => serviceText('  image: a\n  replicas: !Ref count\n')),
    hostileCase(
      'tag/%TAG directive',
      () => `%TAG !e! tag:evil.example,2000:\n---\n${HEAD}spec: {image: a, replicas: !e!n 3}\n`,
    ),
    // accepted today: unknown tags only warn, and !!set silently turns env into {} (variables lost)
    hostileCase('tag/!!set env', () => serviceText('  image: a\n  env: !!set {A, B}\n')),
    hostileCase('tag/!!omap env', () => serviceText('  image: a\n  env: !!omap [{A: 1}, {A: 2}]\n')),
  ];
}

export function syntaxCases(): HostileCase[] {
  const raw = (id: string, text: string) => hostileCase(`syntax/${id}`, () => text);
  return [
    raw('unclosed flow seq', serviceText('  image: a\n  command: [sh, -c\n')),
    raw('unclosed flow map', serviceText('  image: a\n  env: {A: 1\n')),
    raw('unterminated double quote', serviceText('  image: "a\n')),
    raw('unterminated single quote', serviceText("  image: 'a\n")),
    raw('bad escape', serviceText('  image: "a\\q"\n')),
    raw('bad unicode escape', serviceText('  image: "\\uZZZZ"\n')),
    raw('lone surrogate escape', serviceText('  image: "\\uD800"\n  replicas: -1\n')),
    raw('key without colon', `${HEAD}spec\n  image: a\n`),
    raw('bad indentation', `${HEAD}spec:\n  image: a\n replicas: 2\n`),
    raw('block scalar bad indicator', serviceText('  image: |0\n    a\n')),
    raw('block scalar indent 10', serviceText('  image: |10\n    a\n')),
    raw('%YAML 2.0 and a bad field', `%YAML 2.0\n---\n${HEAD}spec: {image: a, replicas: -1}\n`),
    raw('directive without ---', `%YAML 1.2\n${HEAD}spec: {image: a}\n`),
    raw('stray ]', serviceText('  image: a]\n  command: ]\n')),
    raw('document end then content', `${HEAD}spec: {image: a}\n...\ngarbage: [\n`),
    raw('complex key', serviceText('  image: a\n  ? [a, b]\n  : c\n')),
    raw('reserved @ indicator', serviceText('  image: @evil\n')),
    raw('reserved ` indicator', serviceText('  image: `id`\n')),
    raw('only colons', ':::\n: : :\n'),
    raw('kind as a list', 'apiVersion: bosun/v1\nkind: [Service]\nmetadata: {name: web}\n'),
    raw('kind as a map', 'apiVersion: bosun/v1\nkind: {Service: true}\nmetadata: {name: web}\n'),
    raw('tab indentation', 'apiVersion: bosun/v1\nkind: Service\nmetadata:\n\tname: web\nspec:\n\timage: a\n'),
    raw('tab before a list item', serviceText('  image: a\n  command:\n\t- sh\n')),
    raw('mixed tabs and spaces', serviceText(' \timage: a\n')),
    raw('tab in a key', serviceText('  ima\tge: a\n')),
    raw('tabs in a flow map', serviceText('  image: a\n  env: {\tA:\t1,\tB\t}\n  replicas: x\n')),
  ];
}
