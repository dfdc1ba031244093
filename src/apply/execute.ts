import pLimit, { type LimitFunction } from 'p-limit';
import type { Backend, RepoFiles, RunContext } from '../backends/backend.ts';
import type { DrainTarget } from '../coord/drain.ts';
import { BosunError, Codes } from '../errors.ts';
import { isKeyOperation, type Operation, type Plan } from '../model/plan.ts';
import type { KvStore } from '../ports.ts';
import { describe } from '../render/describe.ts';
import { runKeyOperation } from './keys.ts';
import type { RecordSealer } from '../trust/sealer.ts';

export interface ExecuteContext {
  backend: Backend;
  kv: KvStore;
  sealer: RecordSealer;
  release: number;
  /** called once per operation as it completes, with its one-line description */
  onProgress?: (line: string, op: Operation, ms: number) => void;
  /** called just before the back end removes a workload */
  removing?: (id: string) => void;
  /** awaited before the back end stops a workload that may take traffic (proxies drop it first) */
  drain?: (project: string, target: DrainTarget) => Promise<void>;
  /** aborted when the apply lock is lost: stop before the next phase (a safe point) */
  signal?: AbortSignal;
  /** the repo's files, for operations that build from them */
  repo?: RepoFiles;
  /** lines of a long operation's own output (build steps) */
  log?: (line: string) => void;
}

/**
 * Runs the plan phase by phase; the operations of one phase run together. Every decision was
 * taken by the planner: each operation is a few engine or store calls, paced by its batch. When
 * a phase fails the later phases never start, and the error names the services left alone.
 */
export async function execute(plan: Plan, ctx: ExecuteContext): Promise<void> {
  const drain = ctx.drain;
  const run: RunContext = {
    release: ctx.release,
    revision: plan.revision,
    project: plan.project,
    removing: ctx.removing,
    drain: drain && ((target) => drain(plan.project, target)),
    repo: ctx.repo,
    log: ctx.log,
  };
  const limiters = new Map<string, LimitFunction>();
  const phases = phasesOf(plan);
  for (const [i, phase] of phases.entries()) {
    if (ctx.signal?.aborted)
      throw ctx.signal.reason instanceof BosunError
        ? ctx.signal.reason
        : new BosunError(Codes.lockLost, 'the apply lock was lost');
    const runs = phase.map((op) => limiterFor(op, limiters)(() => timed(op, plan, ctx, run)));
    // Let the whole phase settle before failing, so no operation is left half-done behind us.
    const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
    if (failed) throw withNotStarted(failed.reason as BosunError, phases.slice(i + 1));
  }
}

async function timed(op: Operation, plan: Plan, ctx: ExecuteContext, run: RunContext): Promise<void> {
  const started = Date.now();
  try {
    if (isKeyOperation(op)) await runKeyOperation(op, ctx.kv, ctx.sealer, plan.project);
    else await ctx.backend.run(op, run);
  } catch (err) {
    throw failedAt(plan, op, err);
  }
  ctx.onProgress?.(describe(plan.backend, op), op, Date.now() - started);
  await sleep(op.batch?.delayMs ?? 0);
}

function phasesOf(plan: Plan): Operation[][] {
  const phases: Operation[][] = [];
  for (const op of plan.operations) (phases[op.phase] ??= []).push(op);
  return phases.filter(Boolean);
}

/** Steps of one batch (a service's replacements) share a limit of `parallelism`; the rest run at once. */
function limiterFor(op: Operation, limiters: Map<string, LimitFunction>): <T>(fn: () => Promise<T>) => Promise<T> {
  if (!op.batch) return (fn) => fn();
  let limit = limiters.get(op.batch.key);
  if (!limit) {
    limit = pLimit(op.batch.parallelism);
    limiters.set(op.batch.key, limit);
  }
  return limit;
}

function failedAt(plan: Plan, op: Operation, err: unknown): BosunError {
  const e =
    err instanceof BosunError
      ? err
      : new BosunError(Codes.dockerApi, String((err as Error)?.message ?? err), { cause: err });
  const data = { ...e.data, operation: op.kind, service: op.service };
  return new BosunError(e.code, `${describe(plan.backend, op)}: ${e.message}`, { data, cause: e });
}

function withNotStarted(err: BosunError, later: Operation[][]): BosunError {
  const failedService = err.data.service as string | undefined;
  const waiting = new Set<string>();
  for (const op of later.flat()) if (op.start && op.service && op.service !== failedService) waiting.add(op.service);
  if (waiting.size === 0) return err;
  const names = [...waiting].sort();
  const message = `${err.message}; not started: ${names.join(', ')}${failedService ? ` (they come after ${failedService})` : ''}`;
  return new BosunError(err.code, message, { data: { ...err.data, notStarted: names }, cause: err });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}
