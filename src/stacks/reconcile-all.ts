/**
 * `bosun reconcile --all`: every stack of a cluster repo from one fetch, side by side up to a
 * limit and in dependency order, each through the one-project pipeline (session/reconcile.ts)
 * under its own lock. One stack's failure is reported under its name and stops only the stacks
 * that depend on it. Stacks whose folder left the repo are taken down with --prune-stacks
 * (volumes and keys kept, as `bosun down`), else only reported.
 */
import { asBosunError } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Artifact, KvStore } from '../ports.ts';
import type { Pin } from '../release/pin.ts';
import { takeDown } from '../session/down.ts';
import { reconcile } from '../session/reconcile.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { type ClusterStack, clusterOf, type SessionFor } from './cluster.ts';
import { readStackSet, type StackEntry, writeStackSet } from './record.ts';
import { runInOrder, type Settled } from './schedule.ts';

export interface StackRun {
  path: string;
  project?: string;
  result: 'applied' | 'noop' | 'planned' | 'pinned' | 'failed' | 'skipped' | 'removed' | 'would-remove';
  release?: number;
  /** operations planned (applied, unless a dry run) */
  changes: number;
  error?: { code: string; message: string };
  reason?: string;
}

export interface AllOptions {
  dryRun: boolean;
  globs: string[];
  concurrency: number;
  /** --prune-stacks: take down the stacks whose folder is gone */
  prune: boolean;
  fetchRoot: () => Promise<Artifact>;
  sessionFor: SessionFor;
  kv: KvStore;
  sealer: RecordSealer;
  onPlan?: (stack: ClusterStack, plan: Plan, pin?: Pin) => void;
}

export interface AllResult {
  revision: string;
  runs: StackRun[];
}

export async function reconcileAll(o: AllOptions): Promise<AllResult> {
  const root = await o.fetchRoot();
  const cluster = clusterOf(root, o.globs);
  const byPath = new Map(cluster.stacks.map((s) => [s.path, s]));
  const settled = await runInOrder(cluster.stacks, o.concurrency, (path) => runStack(byPath.get(path)!, o));
  const runs = cluster.stacks.map((s) => runOf(s, settled.get(s.path)!));
  const where = { repo: root.repo, root: root.path };
  const before = await readStackSet(o.kv, o.sealer, where.repo, where.root);
  const gone = before.filter((e) => !byPath.has(e.path));
  const removals = await Promise.all(gone.map((e) => removeStack(e, o)));
  runs.push(...removals);
  if (!o.dryRun) {
    // a stack not (yet) taken down stays recorded, so a later pass still knows it left
    const kept = gone.filter((_, i) => removals[i]!.result !== 'removed');
    await writeStackSet(o.kv, o.sealer, where, before, [...kept, ...named(cluster.stacks, before)]);
  }
  return { revision: root.revision, runs };
}

async function runStack(s: ClusterStack, o: AllOptions): Promise<StackRun> {
  if (s.refused) throw s.refused;
  const session = o.sessionFor(s.path);
  const r = await reconcile(session, {
    dryRun: o.dryRun,
    trigger: 'cli',
    artifact: s.artifact,
    onPlan: (plan, pin) => o.onPlan?.(s, plan, pin),
  });
  const changes = r.plan.operations.length;
  const result = r.release ? 'applied' : r.pinned ? 'pinned' : changes > 0 ? 'planned' : 'noop';
  return { path: s.path, project: r.plan.project, result, release: r.release?.number, changes };
}

function runOf(s: ClusterStack, r: Settled<StackRun>): StackRun {
  if (r.status === 'done') return r.value;
  const base = { path: s.path, project: s.project, changes: 0 };
  if (r.status === 'skipped') return { ...base, result: 'skipped', reason: r.reason };
  const e = asBosunError(r.error);
  return { ...base, result: 'failed', error: { code: e.code, message: e.message } };
}

/** A stack whose folder left the repo: taken down (--prune-stacks), or only said. */
async function removeStack(e: StackEntry, o: AllOptions): Promise<StackRun> {
  const base = { path: e.path, project: e.project, changes: 0 };
  if (!o.prune || o.dryRun)
    return {
      ...base,
      result: 'would-remove',
      reason: o.prune ? 'its folder left the repo' : 'its folder left the repo: --prune-stacks takes it down',
    };
  try {
    const r = await takeDown(
      o.sessionFor(e.path),
      { project: e.project },
      { dryRun: false, volumes: false, keys: false },
    );
    return { ...base, result: 'removed', release: r.release?.number, changes: r.plan.operations.length };
  } catch (err) {
    const x = asBosunError(err);
    return { ...base, result: 'failed', error: { code: x.code, message: x.message } };
  }
}

/** A stack that names no project at this revision keeps the name it was recorded with. */
export function named(stacks: readonly ClusterStack[], before: readonly StackEntry[]): StackEntry[] {
  const out: StackEntry[] = [];
  for (const s of stacks) {
    const project = s.project ?? before.find((e) => e.path === s.path)?.project;
    if (project) out.push({ path: s.path, project });
  }
  return out;
}
