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
  for (const op of plan.operations) {
    const started = Date.now();
    try {
      await run(op, ctx, plan, labels);
    } catch (err) {
      throw failedAt(op, err);
    }
    ctx.onProgress?.(describe(op), op, Date.now() - started);
  }
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
