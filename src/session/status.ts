import type { PlanSummary } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { described } from '../render/describe.ts';
import { readPin, type Pin } from '../release/pin.ts';
import type { Session } from './session.ts';

export interface StatusReport {
  project: string;
  pin?: Pin;
  /** the release the stack should be at: the pinned one, else the latest that succeeded */
  inForce?: Pick<Release, 'number' | 'revision' | 'status' | 'trigger' | 'finishedAt'>;
  latest?: Pick<Release, 'number' | 'revision' | 'status' | 'error'>;
  /** what a drift repair would do to return to the release in force */
  drift?: PlanSummary & { operations: string[] };
  /** what git at the ref would change; absent when the repo was not given or is invalid */
  git?: { revision: string; pending: PlanSummary; error?: string };
}

/** Read-only: everything a user asks "where is my stack?" about, in one report. */
export async function projectStatus(session: Session, project: string, withGit: boolean): Promise<StatusReport> {
  const [pin, inForce, latest] = await Promise.all([
    readPin(session.kv, project),
    session.releaseInForce(project),
    session.releases.latest(project),
  ]);
  const report: StatusReport = { project, pin };
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
