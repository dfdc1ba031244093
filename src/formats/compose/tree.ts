/**
 * Compose values as plain JS data, with where each one was written kept beside it. Merging
 * files, expanding anchors and `extends` build new objects all the time; positions live in a
 * side table keyed by the containing object, so every copy carries its children's places and
 * the model handed to the mapper stays plain data.
 */
import type { ComposePath } from './loaded.ts';

export interface Pos {
  file: string;
  line: number;
  col: number;
}

/** Where a child was written: its value, and its key when it has one. */
export interface Place {
  at: Pos;
  key?: Pos;
}

export type Obj = Record<string, unknown>;
export type Container = Obj | unknown[];
export type Tag = 'reset' | 'override';

const places = new WeakMap<object, Map<string, Place>>();
const tags = new WeakMap<object, Map<string, Tag>>();

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function isContainer(v: unknown): v is Container {
  return v !== null && typeof v === 'object';
}

export function placeOf(container: object, key: string | number): Place | undefined {
  return places.get(container)?.get(String(key));
}

export function setPlace(container: object, key: string | number, place: Place | undefined): void {
  if (!place) return;
  let map = places.get(container);
  if (!map) places.set(container, (map = new Map()));
  map.set(String(key), place);
}

export function tagOf(container: object, key: string): Tag | undefined {
  return tags.get(container)?.get(key);
}

export function setTag(container: object, key: string, tag: Tag | undefined): void {
  let map = tags.get(container);
  if (!tag) {
    map?.delete(key);
    return;
  }
  if (!map) tags.set(container, (map = new Map()));
  map.set(key, tag);
}

/** Keys tagged `!reset` in this mapping: they hold no value here, and remove what a base file set. */
export function resetKeys(container: object): string[] {
  return [...(tags.get(container) ?? new Map<string, Tag>())].filter(([, t]) => t === 'reset').map(([k]) => k);
}

/** Sets a key without `__proto__` turning into a prototype change. */
export function put(obj: Obj, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** `obj[key] = value`, with the place (and tag) `from[fromKey]` had. */
export function copyEntry(obj: Obj, key: string, value: unknown, from: object, fromKey: string | number = key): void {
  put(obj, key, value);
  setPlace(obj, key, placeOf(from, fromKey));
  setTag(obj, key, typeof fromKey === 'string' ? tagOf(from, fromKey) : undefined);
}

/** A deep copy with every place (and tag) copied too: merging must never alias a base file's objects. */
export function clone<T>(value: T): T {
  if (Array.isArray(value)) {
    const out: unknown[] = value.map((v) => clone(v));
    value.forEach((_, i) => setPlace(out, i, placeOf(value, i)));
    return out as T;
  }
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) copyEntry(out, k, clone(v), value);
  for (const k of resetKeys(value)) {
    setTag(out, k, 'reset');
    setPlace(out, k, placeOf(value, k));
  }
  return out as T;
}

/** The place of the deepest step of `path` that exists, walking from `root`. */
export function deepestPlace(root: unknown, path: ComposePath): Place | undefined {
  let node: unknown = root;
  let best: Place | undefined;
  for (const seg of path) {
    if (!isContainer(node)) break;
    best = placeOf(node, seg) ?? best;
    node = (node as Record<string, unknown>)[String(seg)];
  }
  return best;
}
