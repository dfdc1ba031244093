import os from 'node:os';
import { BosunError, Codes } from '../errors.ts';
import { execute, resolveImages } from '../apply/execute.ts';
import { loadDesiredState } from '../manifest/load.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release, Trigger } from '../model/release.ts';
import { describe } from '../plan/describe.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { Artifact, ContainerRuntime, GitSourceOptions, KvStore } from '../ports.ts';
import { ReleaseStore } from '../release/store.ts';
import { fetchArtifact } from '../source/git.ts';
import { observe } from '../state/observe.ts';

export interface ReconcileOptions {
  source: GitSourceOptions;
  /** overrides the Project manifest's name */
  project?: string;
  dryRun: boolean;
  trigger: Trigger;
  runtime: ContainerRuntime;
  kv: KvStore;
  /** called with the plan before anything is applied (and for a dry run) */
  onPlan?: (plan: Plan) => void;
  /** one line per applied operation, as it happens */
  progress?: (line: string, op: Operation, ms: number) => void;
}

export interface ReconcileResult {
  artifact: Artifact;
  plan: Plan;
  /** absent for a dry run and when there was nothing to do */
  release?: Release;
}

/**
 * One pass of the pipeline: fetch → validate → observe → plan → (apply → record). Everything
 * that can be refused (bad manifests, unreachable engine, missing image) is refused before the
 * first write, so a failed reconcile changes nothing.
 */
export async function reconcile(opts: ReconcileOptions): Promise<ReconcileResult> {
  const artifact = await fetchArtifact(opts.source);
  const desired = loadDesiredState(artifact, { project: opts.project });
  await opts.runtime.ping();
  const observed = await observe(opts.runtime, opts.kv, desired);
  const plan = makePlan(desired, observed, { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision });
  opts.onPlan?.(plan);
  if (opts.dryRun || plan.operations.length === 0) return { artifact, plan };
  const images = await resolveImages(plan, opts.runtime);
  const release = await applyAsRelease(plan, images, opts);
  return { artifact, plan, release };
}

async function applyAsRelease(plan: Plan, images: Record<string, string>, opts: ReconcileOptions): Promise<Release> {
  const releases = new ReleaseStore(opts.kv);
  const started = await releases.begin({
    project: plan.project,
    repo: plan.repo,
    ref: plan.ref,
    revision: plan.revision,
    trigger: opts.trigger,
    actor: `${os.userInfo().username}@${os.hostname()}`,
    desired: plan.desired,
    images,
    summary: plan.summary,
    operations: plan.operations.map(describe),
  });
  try {
    await execute(plan, { runtime: opts.runtime, kv: opts.kv, release: started.number, onProgress: opts.progress });
  } catch (err) {
    const e = err instanceof BosunError ? err : new BosunError(Codes.dockerApi, String(err), { cause: err });
    await releases.finish(plan.project, started.number, 'failed', { code: e.code, message: e.message });
    throw new BosunError(e.code, `release ${started.number} failed: ${e.message}`, {
      disposition: e.disposition,
      data: { ...e.data, release: started.number },
      cause: e,
    });
  }
  return releases.finish(plan.project, started.number, 'succeeded');
}
