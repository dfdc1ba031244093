/**
 * Which tasks a start-first update is replacing right now (pure). Swarm stops a slot's old task
 * the moment its successor runs, with no hook in between: bosun can only take the old task out
 * of the proxies' rotation as soon as it sees the successor running, while the old task finishes
 * its stop (an app that keeps serving for a moment after SIGTERM loses nothing; see the README).
 */
import type { ObservedTask } from './model.ts';

export interface Handover {
  slot: number;
  /** the task being replaced: the id its endpoint was published under */
  oldId: string;
}

/** Old tasks still running in a slot where a task of `hash` runs and is meant to. */
export function handovers(tasks: readonly ObservedTask[], hash: string): Handover[] {
  const successors = new Set(
    tasks
      .filter((t) => t.specHash === hash && t.state === 'running' && t.desiredState === 'running')
      .map((t) => t.slot),
  );
  return tasks
    .filter((t) => t.specHash !== hash && t.state === 'running' && t.slot !== undefined && successors.has(t.slot))
    .map((t) => ({ slot: t.slot as number, oldId: t.id }))
    .sort((a, b) => a.slot - b.slot || a.oldId.localeCompare(b.oldId));
}
