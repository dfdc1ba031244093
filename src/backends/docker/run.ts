import type { RunContext } from '../backend.ts';
import { Label } from '../../model/labels.ts';
import type { StartGate } from '../../model/plan.ts';
import type { ContainerBlueprint, ContainerOperation as Operation } from './model.ts';
import type { DockerRuntime } from './runtime.ts';

/** One container operation, as engine calls. A running container is never modified. */
export async function runContainerOperation(op: Operation, engine: DockerRuntime, ctx: RunContext): Promise<void> {
  const remove = async (id: string, stopTimeoutSec: number) => {
    // out of every proxy's rotation before it stops, so no request meets a closing container
    if ('replica' in op) {
      const successor = op.kind === 'retire-container';
      await ctx.drain?.({ service: op.service, replica: op.replica, id, successor });
    }
    // noted before the call: the engine emits kill/die/destroy while it is still in progress
    ctx.removing?.(id);
    return engine.remove(id, stopTimeoutSec);
  };
  switch (op.kind) {
    case 'build-image':
      return engine.build(op, ctx);
    case 'create-network':
      return engine.createNetwork(op.name, op.driver, op.internal, op.labels);
    case 'create-volume':
      return engine.createVolume(op.name, op.driver, op.labels);
    case 'remove-network':
      return engine.removeNetwork(op.name);
    case 'remove-volume':
      return engine.removeVolume(op.name);
    case 'create-container':
      return startGated(op.blueprint, op.start, engine, ctx);
    case 'replace-container':
      if (op.order === 'stop-first') await remove(op.containerId, op.stopTimeoutSec);
      return startGated(op.blueprint, op.start, engine, ctx);
    case 'retire-container':
      await remove(op.containerId, op.stopTimeoutSec);
      return engine.rename(op.successor, op.name);
    case 'remove-container':
      return remove(op.containerId, op.stopTimeoutSec);
    case 'rename-container':
      return engine.rename(op.containerId, op.name);
  }
}

/** A new container counts only once it runs, is healthy, and stays so for the monitor period. */
async function startGated(
  bp: ContainerBlueprint,
  gate: StartGate,
  engine: DockerRuntime,
  ctx: RunContext,
): Promise<void> {
  const labels = { [Label.release]: String(ctx.release), [Label.revision]: ctx.revision };
  const id = await engine.createAndStart(bp, labels);
  await engine.waitReady(id, gate.readyTimeoutMs);
  if (gate.monitorMs > 0) await engine.monitor(id, gate.monitorMs);
}
