/**
 * compose's rules for laying one file (or an extending service) over another, after
 * compose-spec's merge.md and compose-go's override package: mappings merge key by key,
 * sequences append, scalars are replaced; `command`, `entrypoint` and `healthcheck.test` are
 * replaced whole; key=value sections merge by key in either syntax; `!reset` removes what the
 * base set and `!override` replaces it. Duplicates left by appending go in ./unicity.ts.
 */
import type { Issues } from './issues.ts';
import { clone, copyEntry, isObj, type Obj, placeOf, resetKeys, setPlace, tagOf, type Place } from './tree.ts';

type Path = (string | number)[];
type Rule = 'replace' | 'keyed' | 'append' | 'names' | 'depends' | 'build' | 'logging' | 'ipam';

const SERVICE_RULES: Record<string, Rule> = {
  command: 'replace',
  entrypoint: 'replace',
  'healthcheck.test': 'replace',
  'ulimits.*': 'replace',
  environment: 'keyed',
  labels: 'keyed',
  annotations: 'keyed',
  sysctls: 'keyed',
  extra_hosts: 'keyed',
  'build.args': 'keyed',
  'build.labels': 'keyed',
  'deploy.labels': 'keyed',
  dns: 'append',
  dns_search: 'append',
  tmpfs: 'append',
  env_file: 'append',
  networks: 'names',
  depends_on: 'depends',
  build: 'build',
  logging: 'logging',
};

function ruleAt(path: Path): Rule | undefined {
  if (path[0] === 'services' && path.length >= 3) {
    const rest = path.slice(2).map((s, i) => (i === 1 && path[2] === 'ulimits' ? '*' : s));
    return SERVICE_RULES[rest.join('.')];
  }
  if ((path[0] === 'networks' || path[0] === 'volumes') && path.length === 3 && path[2] === 'labels') return 'keyed';
  if (path[0] === 'networks' && path.length === 4 && path[2] === 'ipam' && path[3] === 'config') return 'ipam';
  return undefined;
}

export class Merger {
  constructor(private readonly issues: Issues) {}

  /** `over` laid on `base`; neither is modified. `overPlace` is where `over` was written. */
  merge(base: unknown, over: unknown, path: Path, overPlace?: Place): unknown {
    if (over === null || over === undefined) return clone(base);
    const rule = ruleAt(path);
    if (rule === 'replace') return clone(over);
    if (rule === 'keyed') return this.keyed(base, over, path, overPlace);
    if (rule === 'append') return this.sequences(asList(base), asList(over));
    if (rule === 'names' || rule === 'depends')
      return this.mappings(asNames(base, rule), asNames(over, rule), path, false);
    if (rule === 'build') return this.mappings(asBuild(base), asBuild(over), path, false);
    if (rule === 'logging' && isObj(base) && isObj(over) && base.driver !== undefined && over.driver !== undefined) {
      if (base.driver !== over.driver) return clone(over);
    }
    if (rule === 'ipam' && Array.isArray(base) && Array.isArray(over)) return this.ipam(base, over, path);
    if (isObj(base) && isObj(over)) return this.mappings(base, over, path, false);
    if (Array.isArray(base) && Array.isArray(over)) return this.sequences(base, over);
    if (isObj(base) || Array.isArray(base) || isObj(over) || Array.isArray(over)) {
      const what = (v: unknown) => (Array.isArray(v) ? 'a list' : isObj(v) ? 'a mapping' : 'a value');
      this.issues.add(overPlace?.at ?? unknownPos, path, `cannot override ${what(base)} with ${what(over)}`);
    }
    return clone(over);
  }

  private mappings(base: Obj, over: Obj, path: Path, nullWins: boolean): Obj {
    const out: Obj = {};
    for (const [k, v] of Object.entries(base)) copyEntry(out, k, clone(v), base);
    for (const k of resetKeys(over)) delete out[k];
    for (const [k, v] of Object.entries(over)) {
      const here = [...path, k];
      const replace = !(k in out) || k.startsWith('x-') || tagOf(over, k) === 'override' || (nullWins && v === null);
      const value = replace ? clone(v) : this.merge(out[k], v, here, placeOf(over, k));
      copyEntry(out, k, value, over);
    }
    return out;
  }

  private sequences(base: unknown[], over: unknown[]): unknown[] {
    const out = [...base.map((v) => clone(v)), ...over.map((v) => clone(v))];
    base.forEach((_, i) => setPlace(out, i, placeOf(base, i)));
    over.forEach((_, i) => setPlace(out, base.length + i, placeOf(over, i)));
    return out;
  }

  /** environment, labels…: by key, in the base's syntax when both agree, else as a `K=V` list. */
  private keyed(base: unknown, over: unknown, path: Path, overPlace?: Place): unknown {
    if (isObj(base) && isObj(over)) return this.mappings(base, over, path, true);
    if ((!isObj(base) && !Array.isArray(base)) || (!isObj(over) && !Array.isArray(over))) {
      return this.merge(undefined, over, [...path, '-'], overPlace);
    }
    return this.sequences(asKeyValueList(base), asKeyValueList(over));
  }

  /** ipam.config entries merge by subnet; new subnets are added. */
  private ipam(base: unknown[], over: unknown[], path: Path): unknown[] {
    const out = this.sequences(base, []);
    for (const [i, entry] of over.entries()) {
      const at = out.findIndex((b) => isObj(b) && isObj(entry) && b.subnet === entry.subnet);
      const value = at === -1 ? clone(entry) : this.merge(out[at], entry, [...path, at], placeOf(over, i));
      const index = at === -1 ? out.length : at;
      out[index] = value;
      setPlace(out, index, placeOf(over, i));
    }
    return out;
  }
}

const unknownPos = { file: '<root>', line: 1, col: 1 };

function asList(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v === null || v === undefined) return [];
  return [v];
}

/** `[a, b]` → `{a: null, b: null}` (networks) or `{a: {condition: service_started}}` (depends_on). */
function asNames(v: unknown, rule: Rule): Obj {
  if (isObj(v)) return v;
  const out: Obj = {};
  for (const [i, name] of asList(v).entries()) {
    if (typeof name !== 'string') continue;
    copyEntry(out, name, rule === 'depends' ? { condition: 'service_started', required: true } : null, asList(v), i);
  }
  return out;
}

function asBuild(v: unknown): Obj {
  if (isObj(v)) return v;
  const out: Obj = {};
  if (typeof v === 'string') out.context = v;
  return out;
}

/** A mapping as compose lists it: `K=V`, or just `K` for a null value, sorted by key. */
export function asKeyValueList(v: Obj | unknown[]): unknown[] {
  if (Array.isArray(v)) return v;
  const keys = Object.keys(v).sort();
  const out = keys.map((k) => (v[k] === null ? k : `${k}=${String(v[k])}`));
  keys.forEach((k, i) => setPlace(out, i, placeOf(v, k)));
  return out;
}
