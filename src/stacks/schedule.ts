/**
 * Running one task per stack: side by side up to a limit, each after the stacks it depends on
 * (among those run). A task's failure is its own: it never stops a stack that does not depend
 * on it; one that does is skipped, since what it needs did not arrive.
 */
import pLimit from 'p-limit';
import type { Ordered } from './order.ts';

export type Settled<T> =
  | { status: 'done'; value: T }
  | { status: 'failed'; error: unknown }
  | { status: 'skipped'; reason: string };

import { DEFAULT_STACK_CONCURRENCY } from './defaults.ts';

export { DEFAULT_STACK_CONCURRENCY };

/**
 * `task` for every stack of `stacks`; dependencies outside `stacks` (not touched by this pass)
 * are taken as satisfied. `failedValue` says whether a value that did not throw still counts as
 * a failure for the dependents (a rollout rolled back). Never rejects.
 */
export async function runInOrder<T>(
  stacks: readonly Ordered[],
  concurrency: number,
  task: (path: string) => Promise<T>,
  failedValue: (value: T) => boolean = () => false,
): Promise<Map<string, Settled<T>>> {
  const limit = pLimit(Math.max(1, concurrency));
  const inRun = new Map(stacks.map((s) => [s.path, s]));
  const started = new Map<string, Promise<Settled<T>>>();
  const settle = (path: string): Promise<Settled<T>> => {
    let p = started.get(path);
    if (!p) {
      p = runAfter(
        path,
        inRun.get(path)!.dependsOn.filter((d) => inRun.has(d)),
      );
      started.set(path, p);
    }
    return p;
  };
  const runAfter = async (path: string, deps: string[]): Promise<Settled<T>> => {
    const before = await Promise.all(deps.map((d) => settle(d)));
    const broken = deps.find((_, i) => before[i]!.status !== 'done' || failedValue(ok(before[i]!)));
    if (broken) return { status: 'skipped', reason: `dependency ${broken} did not converge` };
    return limit(async () => {
      try {
        return { status: 'done', value: await task(path) } as const;
      } catch (error) {
        return { status: 'failed', error } as const;
      }
    });
  };
  const all = await Promise.all(stacks.map((s) => settle(s.path).then((r) => [s.path, r] as const)));
  return new Map(all);
}

function ok<T>(s: Settled<T>): T {
  return (s as { value: T }).value;
}
