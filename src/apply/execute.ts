import pLimit, { type LimitFunction } from 'p-limit';
import { BosunError, Codes } from '../errors.ts';
import { Label } from '../model/labels.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { updateOwnedKeys } from '../store/owned-keys.ts';
import { describe } from '../plan/describe.ts';
import { readyTimeoutMs } from './timeouts.ts';

export interface ExecuteContext {
  runtime: ContainerRuntime;
  kv: KvStore;
  release: number;
  /** called once per operation as it completes, with its one-line description */
  onProgress?: (line: string, op: Operation, ms: number) => void;
}

/**
 * Runs the plan's operations in order, each as one engine or store call: every decision was
 * taken by the planner. A replaced container is destroyed and recreated, never modified.
 */
export async function execute(plan: Plan, ctx: ExecuteContext): Promise<void> {
  const labels = { [Label.release]: String(ctx.release), [Label.revision]: plan.revision };
  const one = async (op: Operation) => {
    const started = Date.now();
    try {
      await run(op, ctx, plan, labels);
    } catch (err) {
      throw failedAt(op, err);
    }
    ctx.onProgress?.(describe(op), op, Date.now() - started);
  };
  const limiters = new Map<string, LimitFunction>();
  for (const phase of phasesOf(plan)) {
    const limited = phase.map((op) => limiterFor(plan, op, limiters)(() => one(op)));
    // Let the whole phase settle before failing, so no operation is left half-done behind us.
    const failed = (await Promise.allSettled(limited)).find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}

function phasesOf(plan: Plan): Operation[][] {
  const phases: Operation[][] = [];
  for (const op of plan.operations) (phases[op.phase] ??= []).push(op);
  return phases.filter(Boolean);
}

/**
 * Creations and removals run all at once; replacements of one service go `update.parallelism`
 * at a time, so a service never loses more replicas at once than its policy allows.
 */
function limiterFor(plan: Plan, op: Operation, limiters: Map<string, LimitFunction>): <T>(fn: () => Promise<T>) => Promise<T> {
  if (op.kind !== 'replace-container') return (fn) => fn();
  let limit = limiters.get(op.service);
  if (!limit) {
    const parallelism = plan.desired.services.find((s) => s.name === op.service)?.update.parallelism ?? 1;
    limit = pLimit(parallelism);
    limiters.set(op.service, limit);
  }
  return limit;
}

async function run(op: Operation, ctx: ExecuteContext, plan: Plan, labels: Record<string, string>): Promise<void> {
  const { runtime, kv } = ctx;
  switch (op.kind) {
    case 'create-network':
      return runtime.createNetwork(op.name, op.driver, op.internal, op.labels);
    case 'create-volume':
      return runtime.createVolume(op.name, op.driver, op.labels);
    case 'put-key':
      await updateOwnedKeys(kv, plan.project, [op.key], []);
      return kv.put(op.key, op.value);
    case 'delete-key':
      await kv.delete(op.key);
      return updateOwnedKeys(kv, plan.project, [], [op.key]);
    case 'create-container': {
      const id = await runtime.createAndStart(op.blueprint, labels);
      return runtime.waitReady(id, readyTimeoutMs(plan, op.service));
    }
    case 'replace-container': {
      await runtime.remove(op.containerId, op.stopTimeoutSec);
      const id = await runtime.createAndStart(op.blueprint, labels);
      return runtime.waitReady(id, readyTimeoutMs(plan, op.service));
    }
    case 'remove-container':
      return runtime.remove(op.containerId, op.stopTimeoutSec);
  }
}

function failedAt(op: Operation, err: unknown): BosunError {
  const e = err instanceof BosunError ? err : new BosunError(Codes.dockerApi, String((err as Error)?.message ?? err), { cause: err });
  return new BosunError(e.code, `${describe(op)}: ${e.message}`, { disposition: e.disposition, data: { ...e.data, operation: op.kind }, cause: e });
}

/**
 * Resolves every image the plan needs before anything changes, so a missing image fails the
 * reconcile while the old containers still run. Returns service → image id for the release.
 */
export async function resolveImages(plan: Plan, runtime: ContainerRuntime): Promise<Record<string, string>> {
  const images: Record<string, string> = {};
  for (const s of plan.desired.services) images[s.name] = await runtime.ensureImage(s.image);
  return images;
}
