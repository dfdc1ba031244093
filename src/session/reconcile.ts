import { resolveImages } from '../apply/execute.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release, Trigger } from '../model/release.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { Artifact, ContainerRuntime, GitSourceOptions, KvStore } from '../ports.ts';
import { readPin, type Pin } from '../release/pin.ts';
import { fetchArtifact } from '../source/git.ts';
import { observe } from '../state/observe.ts';
import type { DesiredState } from '../model/desired.ts';
import type { ObservedState } from '../model/observed.ts';
import { ReleaseStore } from '../release/store.ts';
import { loadDesiredCached } from './desired-cache.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';

export interface ReconcileOptions {
  source: GitSourceOptions;
  /** overrides the Project manifest's name */
  project?: string;
  dryRun: boolean;
  trigger: Trigger;
  runtime: ContainerRuntime;
  kv: KvStore;
  /** called with the plan before anything is applied (and for a dry run, and when pinned) */
  onPlan?: (plan: Plan, pinned?: Pin) => void;
  /** one line per applied operation, as it happens */
  progress?: (line: string, op: Operation, ms: number) => void;
  notice?: (line: string) => void;
  /** how long to wait for another apply of the project to finish (default 60 s) */
  lockWaitMs?: number;
}

export interface ReconcileResult {
  artifact: Artifact;
  plan: Plan;
  /** absent for a dry run, when there was nothing to do, and when pinned */
  release?: Release;
  /** set when a rollback pinned the stack: git was fetched and planned, not applied */
  pinned?: Pin;
}

/**
 * One pass of the pipeline: fetch → validate → observe → plan → (apply → record). Everything
 * that can be refused (bad manifests, unreachable engine, missing image) is refused before the
 * first write, so a refused reconcile changes nothing.
 */
export async function reconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const artifact = await fetchArtifact(opts.source);
  const desired = loadDesiredCached(artifact, { project: opts.project });
  await opts.runtime.ping();
  // planned without the lock first, so a pass with nothing to apply reads and writes nothing more
  const [first, unfinished] = await Promise.all([planOnly(artifact, desired, opts), !opts.dryRun && leftApplying(opts.kv, desired.project.name)]);
  if (opts.dryRun || (isIdle(first) && !unfinished)) return reported(first, opts);
  // observed again and applied under the lock, so the plan applied is of a world no other apply is changing
  return withApplyLock(opts.kv, desired.project.name, opts.lockWaitMs, async (signal) => {
    const planned = await planOnly(artifact, desired, opts);
    if (isIdle(planned)) return reported(planned, opts);
    const { plan } = reported(planned, opts);
    const images = await resolveImages(plan, planned.observed, opts.runtime);
    const applyOpts = { runtime: opts.runtime, kv: opts.kv, trigger: opts.trigger, images, progress: opts.progress, notice: opts.notice, signal };
    return { artifact, plan, release: await applyAsRelease(plan, applyOpts) };
  });
}

type Planned = ReconcileResult & { observed: ObservedState };

/** Nothing would be applied: a no-op, or git is planned but the stack is pinned. */
function isIdle(p: Planned): boolean {
  return p.pinned !== undefined || p.plan.operations.length === 0;
}

/**
 * A release still `applying` outside the lock may belong to a process that died: only the
 * lock path can tell (and record it `interrupted`), so an idle pass takes it then.
 */
async function leftApplying(kv: KvStore, project: string): Promise<boolean> {
  return (await new ReleaseStore(kv).newest(project))?.status === 'applying';
}

/** onPlan sees only the plan a pass ends with, once; the observed state stays inside. */
function reported({ observed: _, ...result }: Planned, opts: ReconcileOptions): ReconcileResult {
  opts.onPlan?.(result.plan, result.pinned);
  return result;
}

async function planOnly(artifact: Artifact, desired: DesiredState, opts: ReconcileOptions): Promise<Planned> {
  const [pinned, observed] = await Promise.all([readPin(opts.kv, desired.project.name), observe(opts.runtime, opts.kv, desired)]);
  const plan = makePlan(desired, observed, { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision });
  return { artifact, plan, pinned, observed };
}
