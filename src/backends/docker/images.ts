import type { DesiredState } from '../../model/desired.ts';
import type { ObservedState } from '../../model/observed.ts';
import type { Plan } from '../../model/plan.ts';
import type { ContainerOperation, DockerObserved } from './model.ts';
import type { DockerRuntime } from './runtime.ts';

/**
 * Resolves the images the plan creates containers from before anything changes, so a missing
 * image fails the reconcile while the old containers still run: each distinct image once, and
 * only for services being created or replaced. Returns service → image id for the release; a
 * service left alone is recorded with the image its containers run (what a rollback restores).
 */
export async function resolveImages(
  plan: Plan<ContainerOperation>,
  observed: ObservedState<DockerObserved>,
  engine: DockerRuntime,
): Promise<Record<string, string>> {
  const needed = new Map<string, string>();
  const platforms = new Map<string, string | undefined>();
  // an image the plan builds is made in its first phase: there is nothing to resolve before
  const built = new Set(plan.operations.flatMap((op) => (op.kind === 'build-image' ? [op.service] : [])));
  for (const op of plan.operations)
    if ((op.kind === 'create-container' || op.kind === 'replace-container') && !built.has(op.service)) {
      needed.set(op.service, op.blueprint.image);
      platforms.set(op.blueprint.image, op.blueprint.options?.platform ?? platforms.get(op.blueprint.image));
    }
  const ids = new Map<string, string>();
  // one at a time, so with several images missing the error always names the same one
  for (const ref of new Set(needed.values())) ids.set(ref, await engine.ensureImage(ref, platforms.get(ref)));
  const removed = new Set(plan.operations.flatMap((op) => (op.kind === 'remove-container' ? [op.containerId] : [])));
  const kept = observed.containers.filter((c) => !removed.has(c.id));
  const images: Record<string, string> = {};
  for (const s of plan.desired.services) {
    if (built.has(s.name)) continue;
    const ref = needed.get(s.name);
    const id = ref === undefined ? kept.find((c) => c.service === s.name && c.imageId)?.imageId : ids.get(ref);
    if (id) images[s.name] = id;
  }
  return images;
}

/**
 * The exact images a release ran: a tag that has since moved is replaced by the recorded image
 * id, while a tag that still points there is kept (so nothing is replaced needlessly).
 */
export async function pinImages(
  desired: DesiredState,
  recorded: Record<string, string>,
  engine: DockerRuntime,
): Promise<DesiredState> {
  const services = await Promise.all(
    desired.services.map(async (s) => {
      const id = recorded[s.name];
      // a built image is named by its identity: the planner builds it again if its tag moved
      if (!id || s.build) return s;
      const current = await engine.ensureImage(s.image).catch(() => undefined);
      return current === id ? s : { ...s, image: id };
    }),
  );
  return { ...desired, services };
}
