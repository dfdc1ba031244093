import { execute } from '../apply/execute.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Signer } from '../model/signer.ts';
import type { ForcePush, Release, Trigger } from '../model/release.ts';
import { describe } from '../render/describe.ts';
import { maskText } from '../model/mask.ts';
import { unlessUntrusted } from '../trust/sealer.ts';
import { historyLimitOf } from '../release/retention.ts';
import { actor } from './lock.ts';
import type { Session } from './session.ts';
import type { Artifact } from '../ports.ts';
import { repoFiles } from './repo-files.ts';
import type { BindingClaim } from '../release/binding-record.ts';
import { bindingNotice, noteOf } from './binding.ts';

export interface ApplyOptions {
  trigger: Trigger;
  /** service → image id, recorded with the release */
  images: Record<string, string>;
  /** the apply lock's signal: aborted when the lock is lost */
  signal?: AbortSignal;
  /** the ref was force-pushed since the last release: recorded with this one */
  forcePush?: ForcePush;
  /** the project binding this release writes, in the same transaction that records it */
  binding?: BindingClaim;
  /** who signed the commit (host policy git.verify), recorded with the release */
  signer?: Signer;
  /** the revision applied, as fetched: what its images are built from */
  artifact?: Artifact;
}

/**
 * Applies a plan as a numbered release: recorded `applying` before the first change, then
 * `succeeded`, or — when a rollout fails — `rolled-back` to the previous release (failureAction
 * rollback) or `failed` (pause, or nothing to go back to). A failure always throws, so a broken
 * version never ends in a green exit code.
 */
export async function applyAsRelease(session: Session, plan: Plan, opts: ApplyOptions): Promise<Release> {
  const { releases } = session;
  // a failed rollout returns to the previous release only if that record can be trusted
  const previous = await unlessUntrusted(releases.latest(plan.project, 'succeeded'));
  const limit = historyLimitOf(session.o.historyLimit, plan.desired);
  const started = await releases.begin(
    {
      project: plan.project,
      repo: plan.repo,
      ref: plan.ref,
      revision: plan.revision,
      trigger: opts.trigger,
      actor: actor(),
      desired: plan.desired,
      images: opts.images,
      summary: plan.summary,
      operations: plan.operations.map((op) => describe(plan.backend, op)),
      ...(opts.forcePush && { forcePush: opts.forcePush }),
      ...(opts.binding && { binding: noteOf(opts.binding.binding) }),
      ...(opts.signer && { signer: opts.signer }),
    },
    limit,
    opts.binding,
  );
  if (opts.binding) session.o.notice?.(bindingNotice(plan.project, opts.binding.binding));
  try {
    await run(session, plan, started.number, opts.signal, opts.artifact);
  } catch (err) {
    throw await recover(session, plan, started, previous, maskedError(err, plan));
  }
  return releases.finish(plan.project, started.number, 'succeeded');
}

/**
 * The failure with the stack's secret values masked out of its text: a healthcheck's output may
 * print a secret file, and the message is recorded, logged, shown by status and notified.
 */
function maskedError(err: unknown, plan: Plan): BosunError {
  const e = err instanceof BosunError ? err : new BosunError(Codes.dockerApi, String(err), { cause: err });
  const message = maskText(e.message, plan.desired);
  return message === e.message ? e : new BosunError(e.code, message, { data: e.data });
}

/** Executes a plan with the session's back end, store and progress reporting. */
export function run(
  session: Session,
  plan: Plan,
  release: number,
  signal?: AbortSignal,
  artifact?: Artifact,
): Promise<void> {
  const { o } = session;
  return execute(plan, {
    repo: repoFiles(session, artifact),
    log: o.output,
    backend: session.backend,
    kv: session.kv,
    sealer: session.sealer,
    release,
    onProgress: o.progress,
    removing: o.removing,
    drain: o.drain,
    signal,
  });
}

async function recover(
  session: Session,
  plan: Plan,
  release: Release,
  previous: Release | undefined,
  err: BosunError,
): Promise<BosunError> {
  const { releases } = session;
  const failure = { code: err.code, message: err.message };
  const action = failureActionFor(plan, err);
  if (action === 'pause' || !previous || err.disposition === 'retry') {
    // a paused rollout is recorded as such, so drift repair leaves the stack for a person to decide
    const recorded = action === 'pause' ? { ...failure, code: Codes.paused } : failure;
    await releases.finish(plan.project, release.number, 'failed', recorded);
    const why = action === 'pause' ? ' (failureAction pause: the stack is left as it is)' : '';
    return new BosunError(err.code, `release ${release.number} failed${why}: ${err.message}`, {
      data: { ...err.data, release: release.number },
      cause: err,
    });
  }
  session.o.notice?.(`rollout failed, rolling back to release ${previous.number}: ${err.message}`);
  try {
    await returnTo(session, previous);
  } catch (rollbackErr) {
    const msg = rollbackErr instanceof Error ? rollbackErr.message : String(rollbackErr);
    await releases.finish(plan.project, release.number, 'failed', {
      code: err.code,
      message: `${err.message}; rollback to release ${previous.number} failed too: ${msg}`,
    });
    return new BosunError(
      err.code,
      `release ${release.number} failed and the rollback to release ${previous.number} failed too: ${err.message}; rollback: ${msg}`,
      { cause: err },
    );
  }
  await releases.finish(plan.project, release.number, 'rolled-back', failure);
  return new BosunError(
    Codes.rolledBack,
    `release ${release.number} rolled back to release ${previous.number}: ${err.message}`,
    {
      data: { ...err.data, release: release.number, restored: previous.number },
      cause: err,
    },
  );
}

/** The stack as `release` left it: whatever this release changed (and only that) is undone. */
export async function returnTo(session: Session, release: Release): Promise<void> {
  const { plan } = await session.planRelease(release);
  await run(session, plan, release.number);
}

function failureActionFor(plan: Plan, err: BosunError): 'rollback' | 'pause' {
  const service = plan.desired.services.find((s) => s.name === err.data.service);
  return (service?.update ?? plan.desired.project.update).failureAction;
}
