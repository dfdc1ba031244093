/** One swarm operation, as manager calls: a service is updated to a spec, never patched field by field. */
import type Docker from 'dockerode';
import type { RunContext } from '../backend.ts';
import { Label } from '../../model/labels.ts';
import { waitConverged } from './converge.ts';
import type { SwarmOperation as Operation } from './model.ts';
import { IMAGE_ID_LABEL, IMAGE_TAG_LABEL } from './projection.ts';
import type { SwarmRuntime } from './runtime.ts';

export async function runSwarmOperation(op: Operation, engine: SwarmRuntime, ctx: RunContext): Promise<void> {
  switch (op.kind) {
    case 'create-network':
      return engine.createOverlay(op.name, op.internal, op.labels);
    case 'remove-network':
      return engine.removeNetwork(op.name);
    case 'create-file':
      return engine.createFile(op.object);
    case 'remove-file':
      return engine.removeFile(op.fileKind, op.name);
    case 'remove-service':
      ctx.removing?.(op.serviceId);
      return engine.removeService(op.serviceId);
    case 'create-service': {
      const spec = await pinned(op.spec, engine, ctx);
      const { id } = await engine.call(`create service ${op.spec.Name}`, () => engine.docker.createService(spec));
      return waitConverged(engine, { ...target(op, ctx), serviceId: id });
    }
    case 'update-service': {
      const spec = await pinned(op.spec, engine, ctx);
      // the version read now, not at planning: the update replaces the whole spec either way
      const current = await engine.call('inspect service', () => engine.docker.getService(op.serviceId).inspect());
      await engine.call(`update service ${op.spec.Name}`, () =>
        engine.docker.getService(op.serviceId).update({ ...spec, version: current.Version?.Index }),
      );
      return waitConverged(engine, { ...target(op, ctx), serviceId: op.serviceId });
    }
  }
}

function target(op: Extract<Operation, { kind: 'create-service' | 'update-service' }>, ctx: RunContext) {
  return {
    service: op.service,
    hash: op.hash,
    replicas: op.replicas,
    start: op.start,
    parallelism: op.spec.UpdateConfig?.Parallelism ?? 1,
    progress: ctx.log,
    drain: ctx.drain,
  };
}

/**
 * Every node must run the same bits: the tag becomes the image id the manager knows (images are
 * loaded alike on every node where no registry is reachable), and both are recorded as labels
 * so that drift checks read the id as the tag it stands for.
 */
async function pinned(
  spec: Docker.CreateServiceOptions,
  engine: SwarmRuntime,
  ctx: RunContext,
): Promise<Docker.CreateServiceOptions> {
  const task = spec.TaskTemplate as Docker.ContainerTaskSpec;
  const c = task.ContainerSpec ?? {};
  const tag = c.Image ?? '';
  const id = await engine.ensureImage(tag);
  const labels = { ...c.Labels, [IMAGE_TAG_LABEL]: tag, [IMAGE_ID_LABEL]: id };
  const release = { [Label.release]: String(ctx.release), [Label.revision]: ctx.revision };
  return {
    ...spec,
    Labels: { ...spec.Labels, ...release },
    TaskTemplate: { ...task, ContainerSpec: { ...c, Image: id, Labels: { ...labels, ...release } } },
  };
}
