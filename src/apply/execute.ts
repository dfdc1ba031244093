import pLimit, { type LimitFunction } from 'p-limit';
import { BosunError, Codes } from '../errors.ts';
import { Label } from '../model/labels.ts';
import type { ObservedState } from '../model/observed.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { describe } from '../plan/describe.ts';
import { runOperation } from './operations.ts';

export interface ExecuteContext {
  runtime: ContainerRuntime;
  kv: KvStore;
  release: number;
  /** called once per operation as it completes, with its one-line description */
  onProgress?: (line: string, op: Operation, ms: number) => void;
  /** aborted when the apply lock is lost: stop before the next phase (a safe point) */
  signal?: AbortSignal;
}

/**
 * Runs the plan phase by phase; the operations of one phase run together. Every decision was
 * taken by the planner: each operation is a few engine or store calls. When a phase fails the
 * later phases never start, and the error names the services that were left alone.
 */
export async function execute(plan: Plan, ctx: ExecuteContext): Promise<void> {
  const labels = { [Label.release]: String(ctx.release), [Label.revision]: plan.revision };
  const limiters = new Map<string, LimitFunction>();
  const phases = phasesOf(plan);
  for (const [i, phase] of phases.entries()) {
    if (ctx.signal?.aborted) throw ctx.signal.reason instanceof BosunError ? ctx.signal.reason : new BosunError(Codes.lockLost, 'the apply lock was lost');
    const runs = phase.map((op) => limiterFor(plan, op, limiters)(() => timed(op, plan, ctx, labels)));
    // Let the whole phase settle before failing, so no operation is left half-done behind us.
    const failed = (await Promise.allSettled(runs)).find((r) => r.status === 'rejected');
    if (failed) throw withNotStarted(failed.reason as BosunError, phases.slice(i + 1));
  }
}

async function timed(op: Operation, plan: Plan, ctx: ExecuteContext, labels: Record<string, string>): Promise<void> {
  const started = Date.now();
  try {
    await runOperation(op, { runtime: ctx.runtime, kv: ctx.kv, plan, labels });
  } catch (err) {
    throw failedAt(op, err);
  }
  ctx.onProgress?.(describe(op), op, Date.now() - started);
  if (op.kind === 'replace-container') await sleep(policyOf(plan, op.service)?.delayMs ?? 0);
}

function phasesOf(plan: Plan): Operation[][] {
  const phases: Operation[][] = [];
  for (const op of plan.operations) (phases[op.phase] ??= []).push(op);
  return phases.filter(Boolean);
}

function policyOf(plan: Plan, service: string) {
  return plan.desired.services.find((s) => s.name === service)?.update;
}

/**
 * Creations and removals run all at once; replacements of one service go `update.parallelism`
 * at a time (with `delay` between batches), so a service never loses more replicas at once
 * than its policy allows.
 */
function limiterFor(plan: Plan, op: Operation, limiters: Map<string, LimitFunction>): <T>(fn: () => Promise<T>) => Promise<T> {
  if (op.kind !== 'replace-container') return (fn) => fn();
  let limit = limiters.get(op.service);
  if (!limit) {
    limit = pLimit(policyOf(plan, op.service)?.parallelism ?? 1);
    limiters.set(op.service, limit);
  }
  return limit;
}

function failedAt(op: Operation, err: unknown): BosunError {
  const e = err instanceof BosunError ? err : new BosunError(Codes.dockerApi, String((err as Error)?.message ?? err), { cause: err });
  const data = { ...e.data, operation: op.kind, service: 'service' in op ? op.service : undefined };
  return new BosunError(e.code, `${describe(op)}: ${e.message}`, { data, cause: e });
}

function withNotStarted(err: BosunError, later: Operation[][]): BosunError {
  const failedService = err.data.service as string | undefined;
  const waiting = new Set<string>();
  for (const op of later.flat()) {
    if ((op.kind === 'create-container' || op.kind === 'replace-container') && op.service !== failedService) waiting.add(op.service);
  }
  if (waiting.size === 0) return err;
  const names = [...waiting].sort();
  const message = `${err.message}; not started: ${names.join(', ')}${failedService ? ` (they come after ${failedService})` : ''}`;
  return new BosunError(err.code, message, { data: { ...err.data, notStarted: names }, cause: err });
}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

/**
 * Resolves the images the plan creates containers from before anything changes, so a missing
 * image fails the reconcile while the old containers still run: each distinct image once, and
 * only for services being created or replaced. Returns service → image id for the release; a
 * service left alone is recorded with the image its containers run (what a rollback restores).
 */
export async function resolveImages(plan: Plan, observed: ObservedState, runtime: ContainerRuntime): Promise<Record<string, string>> {
  const needed = new Map<string, string>();
  for (const op of plan.operations) if (op.kind === 'create-container' || op.kind === 'replace-container') needed.set(op.service, op.blueprint.image);
  const ids = new Map<string, string>();
  // one at a time, so with several images missing the error always names the same one
  for (const ref of new Set(needed.values())) ids.set(ref, await runtime.ensureImage(ref));
  const removed = new Set(plan.operations.flatMap((op) => (op.kind === 'remove-container' ? [op.containerId] : [])));
  const kept = observed.containers.filter((c) => !removed.has(c.id));
  const images: Record<string, string> = {};
  for (const s of plan.desired.services) {
    const ref = needed.get(s.name);
    const id = ref === undefined ? kept.find((c) => c.service === s.name && c.imageId)?.imageId : ids.get(ref);
    if (id) images[s.name] = id;
  }
  return images;
}
