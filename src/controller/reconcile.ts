import { resolveImages } from '../apply/execute.ts';
import { loadDesiredState } from '../manifest/load.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release, Trigger } from '../model/release.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { Artifact, ContainerRuntime, GitSourceOptions, KvStore } from '../ports.ts';
import { readPin, type Pin } from '../release/pin.ts';
import { fetchArtifact } from '../source/git.ts';
import { observe } from '../state/observe.ts';
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
  const desired = loadDesiredState(artifact, { project: opts.project });
  await opts.runtime.ping();
  const pinned = await readPin(opts.kv, desired.project.name);
  const observed = await observe(opts.runtime, opts.kv, desired);
  const plan = makePlan(desired, observed, { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision });
  opts.onPlan?.(plan, pinned);
  if (pinned) return { artifact, plan, pinned };
  if (opts.dryRun || plan.operations.length === 0) return { artifact, plan };
  const images = await resolveImages(plan, opts.runtime);
  const release = await applyAsRelease(plan, { runtime: opts.runtime, kv: opts.kv, trigger: opts.trigger, images, progress: opts.progress, notice: opts.notice });
  return { artifact, plan, release };
}
