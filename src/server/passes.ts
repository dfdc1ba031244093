import { heal, releaseInForce } from '../controller/heal.ts';
import { reconcile, type ReconcileOptions } from '../controller/reconcile.ts';
import { isTransient } from '../errors.ts';
import type { Release } from '../model/release.ts';
import type { ContainerRuntime, GitSourceOptions, KvStore } from '../ports.ts';
import { ReleaseStore } from '../release/store.ts';
import type { Logger } from './log.ts';

export interface PassDeps {
  source: GitSourceOptions;
  /** --project, when given; otherwise the repo's Project manifest names it */
  projectOverride?: string;
  project: string;
  runtime: ContainerRuntime;
  kv: KvStore;
  log: Logger;
  /** how long a pass waits for another process's apply of the project (--lock-timeout) */
  lockWaitMs?: number;
}

export interface Outcome {
  result: 'applied' | 'healed' | 'noop' | 'pinned' | 'skipped';
  revision?: string;
  release?: number;
  /** operations a heal applied (0: nothing had drifted) */
  repaired: number;
  reason?: string;
}

/**
 * A webhook or poll pass. Git is planned first without applying, so that:
 * - a plan that only repairs drift at the revision already in force heals (no new release);
 * - a poll does not re-apply, every minute, a revision whose release failed or was rolled back
 *   (a webhook, i.e. a new push or a deliberate redelivery, still does).
 * Applies by other processes are kept apart by the pipeline's apply lock (E_LOCKED: busy).
 */
export async function reconcilePass(trigger: 'webhook' | 'poll', d: PassDeps): Promise<Outcome> {
  const base: Omit<ReconcileOptions, 'dryRun'> = { source: d.source, project: d.projectOverride, trigger, runtime: d.runtime, kv: d.kv, lockWaitMs: d.lockWaitMs, ...progress(d.log) };
  const dry = await reconcile({ ...base, dryRun: true });
  const revision = dry.artifact.revision;
  const project = dry.plan.project;
  if (project !== d.project) d.log.warn({ project, watching: d.project }, 'the repo names another project than the one watched for drift: restart bosun serve');
  if (dry.pinned) return { ...(await healPass({ ...d, project })), result: 'pinned', revision };
  if (dry.plan.operations.length === 0) return { result: 'noop', revision, repaired: 0 };
  const [inForce, latest] = await Promise.all([releaseInForce(d.kv, project), new ReleaseStore(d.kv).latest(project)]);
  if (inForce?.revision === revision) return healPass({ ...d, project });
  const failed = trigger === 'poll' ? failedBefore(latest, revision) : undefined;
  if (failed) return { result: 'skipped', revision, repaired: 0, reason: failed };
  const real = await reconcile({ ...base, dryRun: false });
  return { result: real.release ? 'applied' : real.pinned ? 'pinned' : 'noop', revision: real.artifact.revision, release: real.release?.number, repaired: 0 };
}

/** Drift repair: back to the release in force (heal() records no new release). */
export async function healPass(d: PassDeps): Promise<Outcome> {
  const r = await heal({ project: d.project, runtime: d.runtime, kv: d.kv, lockWaitMs: d.lockWaitMs, progress: progress(d.log).progress });
  if (r.paused) {
    const reason = `release ${r.paused.number} paused its rollout (failureAction pause): drift is left for a person to decide`;
    return { result: 'skipped', revision: r.paused.revision, release: r.paused.number, repaired: 0, reason };
  }
  const repaired = r.plan?.operations.length ?? 0;
  return { result: repaired > 0 ? 'healed' : 'noop', revision: r.release?.revision, release: r.release?.number, repaired };
}

function progress(log: Logger): Pick<ReconcileOptions, 'progress' | 'notice'> {
  return {
    progress: (line, _op, ms) => log.info({ op: line, ms }, 'applied'),
    notice: (line) => log.warn(line),
  };
}

/**
 * Why `revision` should not be re-applied by a poll, or undefined when it may be. A failure
 * whose code is transient (retry, busy) says nothing about the revision: worth applying again.
 */
export function failedBefore(latest: Release | undefined, revision: string): string | undefined {
  if (!latest || latest.revision !== revision) return undefined;
  const broken = latest.status === 'rolled-back' || (latest.status === 'failed' && !isTransient(latest.error?.code ?? ''));
  if (!broken) return undefined;
  return `revision ${revision.slice(0, 12)} already ${latest.status} as release ${latest.number}: push a fix, redeliver the webhook or run bosun reconcile`;
}
