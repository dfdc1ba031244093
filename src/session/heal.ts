import { execute } from '../apply/execute.ts';
import { Codes } from '../errors.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { readPin } from '../release/pin.ts';
import { ReleaseStore } from '../release/store.ts';
import { observe } from '../state/observe.ts';
import { withApplyLock } from './lock.ts';

export interface HealOptions {
  project: string;
  runtime: ContainerRuntime;
  kv: KvStore;
  progress?: (line: string, op: Operation, ms: number) => void;
  /** how long to wait for a running apply (default 60 s) */
  lockWaitMs?: number;
}

export interface HealResult {
  /** the release the stack was returned to; absent when nothing was ever released, or paused */
  release?: Release;
  plan?: Plan;
  /** set when the latest rollout was paused (failureAction pause): nothing is repaired */
  paused?: Release;
}

/**
 * Drift repair: converge back to the release that is in force (the pinned one, else the latest
 * that succeeded) — never to a newer git revision, and without recording a new release.
 */
export async function heal(opts: HealOptions): Promise<HealResult> {
  await opts.runtime.ping();
  return withApplyLock(opts.kv, opts.project, opts.lockWaitMs, async (signal) => {
    const paused = await pausedRollout(opts.kv, opts.project);
    if (paused) return { paused };
    const release = await releaseInForce(opts.kv, opts.project);
    if (!release) return {};
    const observed = await observe(opts.runtime, opts.kv, release.desired);
    const plan = makePlan(release.desired, observed, { repo: release.repo, ref: release.ref, revision: release.revision });
    if (plan.operations.length > 0) {
      await execute(plan, { runtime: opts.runtime, kv: opts.kv, release: release.number, onProgress: opts.progress, signal });
    }
    return { release, plan };
  });
}

/** The latest release, if it is a rollout that failed with failureAction pause (and no pin overrides it). */
async function pausedRollout(kv: KvStore, project: string): Promise<Release | undefined> {
  if (await readPin(kv, project)) return undefined;
  const latest = await new ReleaseStore(kv).latest(project);
  return latest?.status === 'failed' && latest.error?.code === Codes.paused ? latest : undefined;
}

export async function releaseInForce(kv: KvStore, project: string): Promise<Release | undefined> {
  const releases = new ReleaseStore(kv);
  const pin = await readPin(kv, project);
  if (pin) return releases.get(project, pin.release);
  return releases.latest(project, 'succeeded');
}
