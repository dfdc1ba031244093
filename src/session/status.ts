import type { PlanSummary } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { described } from '../render/describe.ts';
import type { Pin } from '../release/pin.ts';
import { unlessUntrusted } from '../trust/sealer.ts';
import type { Session } from './session.ts';
import type { Binding } from '../release/binding.ts';
import { readBinding } from '../release/binding-record.ts';

export interface StatusReport {
  project: string;
  pin?: Pin;
  /** the source that owns the project (absent: none has applied it since bindings exist) */
  binding?: Binding;
  /** the release the stack should be at: the pinned one, else the latest that succeeded */
  inForce?: Pick<Release, 'number' | 'revision' | 'status' | 'trigger' | 'finishedAt'>;
  latest?: Pick<Release, 'number' | 'revision' | 'status' | 'error'>;
  /** what a drift repair would do to return to the release in force */
  drift?: PlanSummary & { operations: string[]; notes?: string[] };
  /** what git at the ref would change; absent when the repo was not given; error: invalid, or another source's */
  git?: { revision: string; pending: PlanSummary; error?: string };
}

/** Read-only: everything a user asks "where is my stack?" about, in one report. */
export async function projectStatus(session: Session, project: string, withGit: boolean): Promise<StatusReport> {
  const [pin, inForce, latest, bound] = await Promise.all([
    session.pin(project),
    // an untrusted record is reported by the sealer and shown as no release: status still answers
    unlessUntrusted(session.releaseInForce(project)),
    unlessUntrusted(session.releases.latest(project)),
    readBinding(session.kv, session.sealer, project),
  ]);
  const report: StatusReport = { project, pin, ...(bound.binding && { binding: bound.binding }) };
  if (inForce)
    report.inForce = {
      number: inForce.number,
      revision: inForce.revision,
      status: inForce.status,
      trigger: inForce.trigger,
      finishedAt: inForce.finishedAt,
    };
  if (latest)
    report.latest = { number: latest.number, revision: latest.revision, status: latest.status, error: latest.error };
  await session.backend.ping();
  if (inForce) {
    // status only looks: a release the host policy now refuses still shows its drift
    const at = { repo: inForce.repo, ref: inForce.ref, revision: inForce.revision };
    const { plan } = await session.planFor(inForce.desired, at);
    report.drift = {
      ...plan.summary,
      operations: plan.operations.map(
        (op) => `${op.kind} ${String(subject(described(plan.backend, op).json))}: ${op.cause}`,
      ),
      // what the back end says beside the drift, e.g. a swarm node that is down
      ...(plan.notes.length > 0 && { notes: plan.notes }),
    };
  }
  if (withGit) report.git = await gitPending(session);
  return report;
}

function subject(json: Record<string, unknown>): unknown {
  return json.name ?? json.key;
}

async function gitPending(session: Session): Promise<StatusReport['git']> {
  try {
    const { plan } = await session.planAt();
    return { revision: plan.revision, pending: plan.summary };
  } catch (err) {
    return {
      revision: '',
      pending: { create: 0, replace: 0, remove: 0, keysPut: 0, keysDeleted: 0, networks: 0, volumes: 0 },
      error: (err as Error).message,
    };
  }
}
