/**
 * Interpolation over a whole compose file: every string value (never a key), `x-*` extensions
 * included as compose does, then the type casts compose applies where a number or a boolean is
 * expected, since `replicas: ${N}` can only be written as a string.
 */
import { interpolate, type Lookup } from './interpolate.ts';
import type { Issues } from './issues.ts';
import { type Container, isContainer, placeOf, type Pos } from './tree.ts';

type Cast = 'int' | 'bool' | 'number';

/** compose-go's casts for the fields bosun reads; `*` is any key or index. */
const CASTS: [string, Cast][] = [
  ['services.*.deploy.replicas', 'int'],
  ['services.*.deploy.update_config.parallelism', 'int'],
  ['services.*.deploy.update_config.max_failure_ratio', 'number'],
  ['services.*.scale', 'int'],
  ['services.*.cpus', 'number'],
  ['services.*.deploy.resources.limits.cpus', 'number'],
  ['services.*.healthcheck.retries', 'int'],
  ['services.*.healthcheck.disable', 'bool'],
  ['services.*.init', 'bool'],
  ['services.*.tty', 'bool'],
  ['services.*.stdin_open', 'bool'],
  ['services.*.privileged', 'bool'],
  ['services.*.read_only', 'bool'],
  ['services.*.ports.*.target', 'int'],
  ['services.*.secrets.*.mode', 'int'],
  ['services.*.configs.*.mode', 'int'],
  ['services.*.ulimits.*', 'int'],
  ['services.*.ulimits.*.soft', 'int'],
  ['services.*.ulimits.*.hard', 'int'],
  ['services.*.volumes.*.read_only', 'bool'],
  ['services.*.volumes.*.tmpfs.mode', 'int'],
  ['services.*.depends_on.*.required', 'bool'],
  ['services.*.env_file.*.required', 'bool'],
  ['networks.*.external', 'bool'],
  ['networks.*.internal', 'bool'],
  ['networks.*.attachable', 'bool'],
  ['volumes.*.external', 'bool'],
  ['secrets.*.external', 'bool'],
  ['configs.*.external', 'bool'],
];

const castIndex = new Map(CASTS.map(([p, c]) => [p, c]));

function castFor(path: (string | number)[]): Cast | undefined {
  // services.<name>.… : the name is a wildcard, and so is every index
  const generic = path.map((seg, i) => (typeof seg === 'number' || i === 1 || isWildAt(path, i) ? '*' : seg));
  return castIndex.get(generic.join('.'));
}

/** Names inside a section (ulimits.<name>, depends_on.<name>) are wildcards too. */
function isWildAt(path: (string | number)[], i: number): boolean {
  const parent = path[i - 1];
  return i === 3 && path[0] === 'services' && (parent === 'ulimits' || parent === 'depends_on');
}

export function interpolateTree(root: Container, lookup: Lookup, file: string, issues: Issues): void {
  walk(root, [], lookup, { file, line: 1, col: 1 }, issues);
}

function walk(node: Container, path: (string | number)[], lookup: Lookup, fallback: Pos, issues: Issues): void {
  const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((v, i) => [i, v]) : Object.entries(node);
  for (const [key, value] of entries) {
    const here = [...path, key];
    const at = placeOf(node, key)?.at ?? fallback;
    if (isContainer(value)) {
      walk(value, here, lookup, at, issues);
      continue;
    }
    if (typeof value !== 'string') continue;
    const result = interpolate(value, lookup);
    if ('error' in result) {
      issues.add(at, here, result.error);
      continue;
    }
    const cast = castFor(here);
    const out = cast ? castValue(result.value, cast) : result.value;
    if (out === undefined) issues.add(at, here, `"${result.value}" is not ${castName[cast!]}`);
    else (node as Record<string, unknown>)[key as string] = out;
  }
}

const castName: Record<Cast, string> = { int: 'an integer', bool: 'a boolean', number: 'a number' };

function castValue(text: string, cast: Cast): unknown {
  const t = text.trim();
  if (cast === 'bool') {
    if (/^(y|yes|true|on)$/i.test(t)) return true;
    if (/^(n|no|false|off)$/i.test(t)) return false;
    return undefined;
  }
  if (cast === 'int') return /^[-+]?\d+$/.test(t) ? Number(t) : undefined;
  return t !== '' && Number.isFinite(Number(t)) ? Number(t) : undefined;
}
