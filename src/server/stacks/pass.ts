/**
 * One pass of a cluster repo's controller: the repo fetched ONCE, its stacks discovered, each
 * stack's fingerprint compared with what it was made of when last handled; only the stacks a
 * push touched are planned (each through the one-project pass, server/passes.ts, under its own
 * lock), side by side up to the limit, in dependency order. A stack's failure is recorded
 * under its name and never stops or rolls back another.
 */
import { asBosunError } from '../../errors.ts';
import type { Artifact } from '../../ports.ts';
import { fingerprintOf, type Fingerprint } from '../../stacks/artifacts.ts';
import { type ClusterStack, clusterOf } from '../../stacks/cluster.ts';
import { runInOrder } from '../../stacks/schedule.ts';
import { selectStacks, type Touch, type TouchReason } from '../../stacks/triggers.ts';
import type { Session } from '../../session/session.ts';
import type { Logger } from '../log.ts';
import { healPass, type Outcome, reconcilePass } from '../passes.ts';
import type { StackBoard, StackEntry, StackPass } from './board.ts';
import type { StackMetrics } from './metrics.ts';

export interface ClusterPassDeps {
  fetchRoot: () => Promise<Artifact>;
  globs: readonly string[];
  concurrency: number;
  board: StackBoard;
  sessionFor: (stackPath: string) => Session;
  log: Logger;
  metrics: StackMetrics;
  /** no stack was handled since the controller started */
  firstPass: boolean;
  /** a stack failed in a way that may pass by itself: a pass should follow later */
  retryLater: () => void;
}

export interface ClusterPassResult {
  revision: string;
  touched: Touch[];
  untouched: string[];
  gone: string[];
  failed: string[];
}

export async function clusterPass(trigger: 'webhook' | 'poll', d: ClusterPassDeps): Promise<ClusterPassResult> {
  const root = await d.fetchRoot();
  const cluster = clusterOf(root, d.globs);
  const prints = new Map(cluster.stacks.map((s) => [s.path, fingerprintOf(root, s)]));
  const sel = selectStacks(prints, d.board.known(), d.firstPass);
  noteStacks(d.board, cluster.stacks, prints, sel.gone);
  for (const path of sel.untouched) d.metrics.untouched.inc({ stack: path, project: d.board.get(path).project ?? '' });
  d.log.info(
    {
      trigger,
      revision: root.revision,
      touched: sel.touched.map((t) => `${t.path} (${t.reason})`),
      untouched: sel.untouched.length,
      gone: sel.gone,
    },
    `${trigger}: ${sel.touched.length} of ${cluster.stacks.length} stack(s) to plan`,
  );
  const reasons = new Map(sel.touched.map((t) => [t.path, t.reason]));
  const runs = cluster.stacks.filter((s) => reasons.has(s.path));
  const settled = await runInOrder(runs, d.concurrency, (path) => {
    const s = runs.find((x) => x.path === path)!;
    return stackPass(trigger, s, reasons.get(path)!, prints.get(path)!, d);
  });
  const failed: string[] = [];
  for (const [path, r] of settled) {
    if (r.status === 'failed') failed.push(path);
    if (r.status === 'skipped') skippedPass(d, trigger, path, reasons.get(path)!, r.reason, root.revision);
  }
  return { revision: root.revision, ...sel, failed };
}

/** The board follows the revision: names, order, refusals and the stacks that left. */
function noteStacks(board: StackBoard, stacks: ClusterStack[], prints: Map<string, Fingerprint>, gone: string[]): void {
  for (const s of stacks) {
    const e = board.get(s.path);
    e.project = s.project ?? e.project;
    e.dependsOn = s.dependsOn;
    e.seen = prints.get(s.path);
    e.gone = false;
    e.refused = s.refused && { code: s.refused.code, message: s.refused.message };
  }
  for (const path of gone) board.get(path).gone = true;
}

/** One stack planned (and applied) by the one-project pass, with the artifact of the pass's fetch. */
async function stackPass(
  trigger: 'webhook' | 'poll',
  s: ClusterStack,
  reason: TouchReason,
  print: Fingerprint,
  d: ClusterPassDeps,
): Promise<StackOutcome> {
  const e = d.board.get(s.path);
  return recorded(
    d,
    e,
    trigger,
    reason,
    async () => {
      if (s.refused) throw s.refused;
      const log = d.log.child({ stack: s.path, project: s.project });
      const o = await reconcilePass(trigger, { session: d.sessionFor(s.path), project: s.project!, log }, s.artifact);
      e.handled = print;
      return o;
    },
    print,
  );
}

/** Drift repair of one stack, on its own clock: back to its release in force. */
export function stackHeal(d: RecordDeps, path: string): Promise<StackOutcome> {
  const e = d.board.get(path);
  return recorded(d, e, 'drift', 'drift', () =>
    healPass({
      session: d.sessionFor(path),
      project: e.project!,
      log: d.log.child({ stack: path, project: e.project }),
    }),
  );
}

/** An Outcome of the one-project passes, or of a stack's removal (result `removed`). */
export type StackOutcome = Omit<Outcome, 'result'> & { result: Outcome['result'] | 'removed' };

type RecordDeps = Pick<ClusterPassDeps, 'board' | 'sessionFor' | 'log' | 'metrics' | 'retryLater'>;

/**
 * Runs a stack's pass and records it (board, metrics, log). A failure the user must fix counts
 * as handled (`print`): the stack is planned again when something it is made of changes; one
 * that may pass by itself (engine, store, lock) is tried again by a later pass.
 */
export async function recorded(
  d: RecordDeps,
  e: StackEntry,
  trigger: StackPass['trigger'],
  reason: StackPass['reason'],
  run: () => Promise<StackOutcome>,
  print?: Fingerprint,
): Promise<StackOutcome> {
  const started = Date.now();
  const base = { trigger, reason, at: new Date(started).toISOString() };
  const labels = { stack: e.path, project: e.project ?? '', trigger, reason };
  e.running = true;
  try {
    const o = await run();
    e.retry = false;
    e.lastPass = {
      ...base,
      durationMs: Date.now() - started,
      result: o.result,
      revision: o.revision,
      release: o.release,
    };
    d.metrics.passes.inc({ ...labels, result: o.result });
    d.log.info(
      {
        stack: e.path,
        project: e.project,
        trigger,
        reason,
        result: o.result,
        revision: o.revision,
        release: o.release,
        repaired: o.repaired,
        why: o.reason,
        ms: Date.now() - started,
      },
      `stack ${e.path}: ${o.result}`,
    );
    await refreshApplied(d, e);
    return o;
  } catch (err) {
    const x = asBosunError(err);
    const error = { code: x.code, message: x.message, disposition: x.disposition };
    e.lastPass = { ...base, durationMs: Date.now() - started, result: x.disposition, error };
    if (x.disposition === 'stalled') {
      if (print) e.handled = print;
      e.retry = false;
    } else {
      e.retry = true;
      d.retryLater();
    }
    d.metrics.passes.inc({ ...labels, result: x.disposition });
    d.log.error(
      { stack: e.path, project: e.project, trigger, reason, ...error },
      `stack ${e.path} failed (${x.disposition})`,
    );
    throw x;
  } finally {
    e.running = false;
  }
}

/** A dependent of a stack that failed: not planned, tried again by the next pass. */
function skippedPass(
  d: ClusterPassDeps,
  trigger: 'webhook' | 'poll',
  path: string,
  reason: TouchReason,
  why: string,
  revision: string,
): void {
  const e = d.board.get(path);
  e.retry = true;
  e.lastPass = { trigger, reason, at: new Date().toISOString(), durationMs: 0, result: 'skipped', revision };
  d.metrics.passes.inc({ stack: path, project: e.project ?? '', trigger, reason, result: 'skipped' });
  d.log.warn({ stack: path, project: e.project, trigger, reason, why }, `stack ${path}: skipped`);
}

async function refreshApplied(d: RecordDeps, e: StackEntry): Promise<void> {
  if (!e.project) return;
  try {
    const r = await d.sessionFor(e.path).releaseInForce(e.project);
    if (!r) return;
    e.applied = { revision: r.revision, release: r.number };
    d.metrics.setApplied(e.path, e.project, r.revision, r.number);
  } catch (err) {
    d.log.warn({ stack: e.path, err: asBosunError(err).message }, 'could not read the release in force');
  }
}
