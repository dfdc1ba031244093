import { loadDesiredState } from '../formats/index.ts';
import type { PlanSummary } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { ContainerRuntime, GitSourceOptions, KvStore } from '../ports.ts';
import { readPin, type Pin } from '../release/pin.ts';
import { ReleaseStore } from '../release/store.ts';
import { fetchArtifact } from '../source/git.ts';
import { observe } from '../state/observe.ts';
import { releaseInForce } from './heal.ts';

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
export async function projectStatus(opts: { project: string; runtime: ContainerRuntime; kv: KvStore; source?: GitSourceOptions }): Promise<StatusReport> {
  const { project, kv, runtime } = opts;
  const [pin, inForce, latest] = await Promise.all([readPin(kv, project), releaseInForce(kv, project), new ReleaseStore(kv).latest(project)]);
  const report: StatusReport = { project, pin };
  if (inForce) report.inForce = { number: inForce.number, revision: inForce.revision, status: inForce.status, trigger: inForce.trigger, finishedAt: inForce.finishedAt };
  if (latest) report.latest = { number: latest.number, revision: latest.revision, status: latest.status, error: latest.error };
  await runtime.ping();
  if (inForce) {
    const p = makePlan(inForce.desired, await observe(runtime, kv, inForce.desired), { repo: inForce.repo, ref: inForce.ref, revision: inForce.revision });
    report.drift = { ...p.summary, operations: p.operations.map((o) => `${o.kind} ${'name' in o ? o.name : 'blueprint' in o ? o.blueprint.name : o.key}: ${o.cause}`) };
  }
  if (opts.source) report.git = await gitPending(opts.source, project, runtime, kv);
  return report;
}

async function gitPending(source: GitSourceOptions, project: string, runtime: ContainerRuntime, kv: KvStore): Promise<StatusReport['git']> {
  try {
    const artifact = await fetchArtifact(source);
    const desired = loadDesiredState(artifact, { project });
    const p = makePlan(desired, await observe(runtime, kv, desired), { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision });
    return { revision: artifact.revision, pending: p.summary };
  } catch (err) {
    return { revision: '', pending: { create: 0, replace: 0, remove: 0, keysPut: 0, keysDeleted: 0, networks: 0, volumes: 0 }, error: (err as Error).message };
  }
}
