/** Small helpers for deterministic output: the same repo must always give the same state. */

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function sortedUnique(list: readonly string[]): string[] {
  return [...new Set(list)].sort(compareStrings);
}

export function sortedRecord<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}

export function byName<T extends { name: string }>(a: T, b: T): number {
  return compareStrings(a.name, b.name);
}

/**
 * The order Array.prototype.sort() gives tuples (by their comma-joined text, so hashes of saved
 * plans stay comparable), with each text built once instead of at every comparison.
 */
export function sortedAsText(tuples: string[][]): string[][] {
  const keyed = tuples.map((t) => ({ key: t.join(','), t }));
  keyed.sort((a, b) => compareStrings(a.key, b.key));
  return keyed.map((k) => k.t);
}
