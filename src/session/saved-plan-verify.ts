import { canonicalJson } from '../model/hash.ts';

/**
 * Where two desired states first differ, as a dotted path (`services.web.mounts[0].hostPath`),
 * or undefined when they are the same. Pure. Both sides are compared in their JSON form, since
 * that is all a saved plan file can hold.
 */
export function firstDifference(fromGit: unknown, fromFile: unknown, at = ''): string | undefined {
  const a = jsonForm(fromGit);
  const b = jsonForm(fromFile);
  return walk(a, b, at);
}

function jsonForm(v: unknown): unknown {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

function walk(a: unknown, b: unknown, at: string): string | undefined {
  if (canonicalJson(a) === canonicalJson(b)) return undefined;
  const bothArrays = Array.isArray(a) && Array.isArray(b);
  const bothObjects = isRecord(a) && isRecord(b);
  if (!bothArrays && !bothObjects) return at || '(the whole desired state)';
  if (bothArrays && a.length !== b.length)
    return `${at || '(root)'} (length ${a.length} in git, ${b.length} in the file)`;
  const keys = bothArrays
    ? a.map((_, i) => i)
    : [...new Set([...Object.keys(a as object), ...Object.keys(b as object)])].sort();
  for (const k of keys) {
    const path = typeof k === 'number' ? `${at}[${k}]` : at ? `${at}.${k}` : k;
    const found = walk((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path);
    if (found) return found;
  }
  return at || '(root)';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
