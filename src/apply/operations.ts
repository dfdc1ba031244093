import { BosunError, Codes } from '../errors.ts';
import type { ContainerBlueprint, Operation, Plan } from '../model/plan.ts';
import type { ContainerRuntime, KvStore } from '../ports.ts';
import { updateOwnedKeys } from '../store/owned-keys.ts';
import { readyTimeoutMs } from './timeouts.ts';

export interface OperationContext {
  runtime: ContainerRuntime;
  kv: KvStore;
  plan: Plan;
  /** release labels added to every container this apply creates */
  labels: Record<string, string>;
}

/** One operation, as engine and store calls. A running container is never modified. */
export async function runOperation(op: Operation, ctx: OperationContext): Promise<void> {
  const { runtime, kv, plan } = ctx;
  switch (op.kind) {
    case 'create-network':
      return runtime.createNetwork(op.name, op.driver, op.internal, op.labels);
    case 'create-volume':
      return runtime.createVolume(op.name, op.driver, op.labels);
    case 'put-key':
      // owned first: a crash between the two leaves a key bosun knows it may delete
      await updateOwnedKeys(kv, plan.project, [op.key], []);
      if (!(await kv.putIf(op.key, op.value, op.expectedVersion))) throw concurrentWrite(op.key);
      return;
    case 'delete-key':
      // a delete is a conditional write of "gone": re-check the version right before it
      if ((await kv.get(op.key))?.version !== op.expectedVersion) throw concurrentWrite(op.key);
      await kv.delete(op.key);
      return updateOwnedKeys(kv, plan.project, [], [op.key]);
    case 'create-container':
      return startGated(op.service, op.blueprint, ctx);
    case 'replace-container':
      if (op.order === 'stop-first') await runtime.remove(op.containerId, op.stopTimeoutSec);
      return startGated(op.service, op.blueprint, ctx);
    case 'retire-container':
      await runtime.remove(op.containerId, op.stopTimeoutSec);
      return runtime.rename(op.successor, op.name);
    case 'remove-container':
      return runtime.remove(op.containerId, op.stopTimeoutSec);
    case 'rename-container':
      return runtime.rename(op.containerId, op.name);
  }
}

function concurrentWrite(key: string): BosunError {
  return new BosunError(Codes.storeConflict, `key ${key} was changed by someone else after the plan was made: not overwritten (reconcile again to see the new plan)`);
}

/** A new container counts only once it runs, is healthy, and stays so for the monitor period. */
async function startGated(service: string, bp: ContainerBlueprint, ctx: OperationContext): Promise<void> {
  const id = await ctx.runtime.createAndStart(bp, ctx.labels);
  await ctx.runtime.waitReady(id, readyTimeoutMs(ctx.plan, service));
  const monitorMs = ctx.plan.desired.services.find((s) => s.name === service)?.update.monitorMs ?? 0;
  if (monitorMs > 0) await ctx.runtime.monitor(id, monitorMs);
}
