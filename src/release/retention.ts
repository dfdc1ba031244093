import { BosunError, Codes } from '../errors.ts';
import type { DesiredState } from '../model/desired.ts';

/** Releases kept per project unless the Project or --history-limit says otherwise (Argo CD keeps 10, Flux 5). */
export const DEFAULT_HISTORY_LIMIT = 50;

/**
 * At most this many releases are deleted by one recording: an etcd transaction takes 128
 * operations by default, and a history made long before a limit existed shrinks over a few applies.
 */
export const MAX_PRUNED_AT_ONCE = 100;

/** Inclusive ranges of release numbers, sorted and merged: `[[1, 40], [42, 190]]`. */
export type Ranges = [number, number][];

/**
 * What pruning has taken, kept beside the releases so that `releases` can say how many went and a
 * pruned number is told apart from one that never existed. `gone` also covers numbers that held
 * no release when they were pruned (a crash between allocating a number and writing it).
 */
export interface PrunedRecord {
  /** releases deleted by pruning, in all */
  count: number;
  gone: Ranges;
}

export const NOTHING_PRUNED: PrunedRecord = { count: 0, gone: [] };

/** The limit in force: the flag, else the Project's `historyLimit`, else the default. */
export function historyLimitOf(override: number | undefined, desired: DesiredState | undefined): number {
  return override ?? desired?.project.historyLimit ?? DEFAULT_HISTORY_LIMIT;
}

/** `--history-limit` / BOSUN_HISTORY_LIMIT as a number of releases; undefined leaves it to the Project. */
export function parseHistoryLimit(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new BosunError(Codes.usage, `--history-limit must be a whole number of releases, at least 1, not "${text}"`);
  return n;
}

export function isGone(ranges: Ranges, n: number): boolean {
  return ranges.some(([lo, hi]) => lo <= n && n <= hi);
}

/** The first number of the gone range holding `n`, or `n` itself: a walk back jumps over pruned history. */
export function rangeStart(ranges: Ranges, n: number): number {
  return ranges.find(([lo, hi]) => lo <= n && n <= hi)?.[0] ?? n;
}

/**
 * The numbers recording release `top` may prune, oldest first: those older than the newest
 * `limit`, not gone already and not kept (the release in force, the pinned one, its rollback
 * target), at most MAX_PRUNED_AT_ONCE.
 */
export function pruneCandidates(top: number, limit: number, gone: Ranges, keep: Iterable<number>): number[] {
  const kept = new Set(keep);
  const out: number[] = [];
  let n = 1;
  while (n <= top - limit && out.length < MAX_PRUNED_AT_ONCE) {
    const range = gone.find(([lo, hi]) => lo <= n && n <= hi);
    if (range) {
      n = range[1] + 1;
      continue;
    }
    if (!kept.has(n)) out.push(n);
    n++;
  }
  return out;
}

/** `ranges` with `numbers` added, sorted and merged. */
export function addRanges(ranges: Ranges, numbers: number[]): Ranges {
  const all: Ranges = [...ranges, ...numbers.map((n): [number, number] => [n, n])].sort((a, b) => a[0] - b[0]);
  const merged: Ranges = [];
  for (const [lo, hi] of all) {
    const last = merged.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else merged.push([lo, hi]);
  }
  return merged;
}

/** `1–190, 192–195`, for people. */
export function rangesText(ranges: Ranges): string {
  return ranges.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}–${hi}`)).join(', ');
}
