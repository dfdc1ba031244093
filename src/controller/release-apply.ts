import os from 'node:os';
import { execute } from '../apply/execute.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release, Trigger } from '../model/release.ts';
import { describe } from '../plan/describe.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { ReleaseStore } from '../release/store.ts';
import { observe } from '../state/observe.ts';

export interface ApplyOptions {
  runtime: ContainerRuntime;
  kv: KvStore;
  trigger: Trigger;
  images: Record<string, string>;
  progress?: (line: string, op: Operation, ms: number) => void;
  /** lines that are not operations, e.g. "rolling back to release 3" */
  notice?: (line: string) => void;
  signal?: AbortSignal;
}

export function actor(): string {
  return `${os.userInfo().username}@${os.hostname()}`;
}

/**
 * Applies a plan as a numbered release: recorded `applying` before the first change, then
 * `succeeded`, or — when a rollout fails — `rolled-back` to the previous release (failureAction
 * rollback) or `failed` (pause, or nothing to go back to). A failure always throws, so a broken
 * version never ends in a green exit code.
 */
export async function applyAsRelease(plan: Plan, opts: ApplyOptions): Promise<Release> {
  const releases = new ReleaseStore(opts.kv);
  const previous = await releases.latest(plan.project, 'succeeded');
  const started = await releases.begin({
    project: plan.project,
    repo: plan.repo,
    ref: plan.ref,
    revision: plan.revision,
    trigger: opts.trigger,
    actor: actor(),
    desired: plan.desired,
    images: opts.images,
    summary: plan.summary,
    operations: plan.operations.map(describe),
  });
  try {
    await execute(plan, { runtime: opts.runtime, kv: opts.kv, release: started.number, onProgress: opts.progress, signal: opts.signal });
  } catch (err) {
    const e = err instanceof BosunError ? err : new BosunError(Codes.dockerApi, String(err), { cause: err });
    throw await recover(plan, started, previous, e, opts);
  }
  return releases.finish(plan.project, started.number, 'succeeded');
}

async function recover(plan: Plan, release: Release, previous: Release | undefined, err: BosunError, opts: ApplyOptions): Promise<BosunError> {
  const releases = new ReleaseStore(opts.kv);
  const failure = { code: err.code, message: err.message };
  const action = failureActionFor(plan, err);
  if (action === 'pause' || !previous || err.disposition === 'retry') {
    // a paused rollout is recorded as such, so drift repair leaves the stack for a person to decide
    const recorded = action === 'pause' ? { ...failure, code: Codes.paused } : failure;
    await releases.finish(plan.project, release.number, 'failed', recorded);
    const why = action === 'pause' ? ' (failureAction pause: the stack is left as it is)' : '';
    return new BosunError(err.code, `release ${release.number} failed${why}: ${err.message}`, { data: { ...err.data, release: release.number }, cause: err });
  }
  opts.notice?.(`rollout failed, rolling back to release ${previous.number}: ${err.message}`);
  try {
    await returnTo(previous, opts);
  } catch (rollbackErr) {
    const msg = rollbackErr instanceof Error ? rollbackErr.message : String(rollbackErr);
    await releases.finish(plan.project, release.number, 'failed', { code: err.code, message: `${err.message}; rollback to release ${previous.number} failed too: ${msg}` });
    return new BosunError(err.code, `release ${release.number} failed and the rollback to release ${previous.number} failed too: ${err.message}; rollback: ${msg}`, { cause: err });
  }
  await releases.finish(plan.project, release.number, 'rolled-back', failure);
  return new BosunError(Codes.rolledBack, `release ${release.number} rolled back to release ${previous.number}: ${err.message}`, {
    data: { ...err.data, release: release.number, restored: previous.number },
    cause: err,
  });
}

/** The stack as `release` left it: whatever this release changed (and only that) is undone. */
export async function returnTo(release: Release, opts: Pick<ApplyOptions, 'runtime' | 'kv' | 'progress'>): Promise<void> {
  const observed = await observe(opts.runtime, opts.kv, release.desired);
  const back = makePlan(release.desired, observed, { repo: release.repo, ref: release.ref, revision: release.revision });
  await execute(back, { runtime: opts.runtime, kv: opts.kv, release: release.number, onProgress: opts.progress });
}

function failureActionFor(plan: Plan, err: BosunError): 'rollback' | 'pause' {
  const service = plan.desired.services.find((s) => s.name === err.data.service);
  return (service?.update ?? plan.desired.project.update).failureAction;
}
