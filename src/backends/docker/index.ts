import type { Adopt, Backend, EventFeed, EventHandlers, RunContext, Teardown, WorkloadPlan } from '../backend.ts';
import type { DesiredState } from '../../model/desired.ts';
import type { Endpoint } from '../../model/endpoint.ts';
import type { ObservedState } from '../../model/observed.ts';
import type { Plan } from '../../model/plan.ts';
import { healthyEndpoints } from './endpoints.ts';
import { watchContainers } from './events.ts';
import { pinImages, resolveImages } from './images.ts';
import type { ContainerOperation, DockerObserved } from './model.ts';
import { planContainers } from './plan/plan.ts';
import { runContainerOperation } from './run.ts';
import { DockerRuntime } from './runtime.ts';
import { foreignUsers } from './users.ts';
import type { DockerTarget } from './host.ts';

/** One Docker engine: the project's workloads are containers, named and labelled by bosun. */
export class DockerBackend implements Backend<ContainerOperation, DockerObserved> {
  readonly name = 'docker';
  readonly engine: DockerRuntime;
  readonly endpoint: string;

  /** `target`: resolved flags and environment, or a plain unix:// or tcp:// address (tests, bench) */
  constructor(target: DockerTarget | string) {
    this.engine = new DockerRuntime(target);
    this.endpoint = this.engine.endpoint;
  }

  ping(): Promise<void> {
    return this.engine.ping();
  }

  async observe(project: string, teardown?: Teardown): Promise<DockerObserved> {
    const [containers, networks, volumes, images, composeHeld] = await Promise.all([
      this.engine.listContainers(project),
      this.engine.listNetworks(project),
      this.engine.listVolumes(project),
      this.engine.builtImages(),
      this.engine.listComposeHeld(project),
    ]);
    const held = composeHeld.length ? { composeHeld } : {};
    const infra = {
      networks: networks.own,
      volumes: volumes.own,
      elsewhere: { networks: networks.others, volumes: volumes.others },
    };
    if (!teardown) return { containers, ...infra, images, ...held };
    const own = new Set(containers.map((c) => c.id));
    const users = await this.engine.call('list containers using the project', () =>
      foreignUsers(this.engine.docker, own, networks.own, teardown.volumes ? volumes.own : []),
    );
    return { containers, ...infra, images, users };
  }

  plan(
    desired: DesiredState,
    observed: ObservedState<DockerObserved>,
    teardown?: Teardown,
    adopt?: Adopt,
  ): WorkloadPlan<ContainerOperation> {
    return planContainers(desired, observed, teardown, adopt);
  }

  resolveImages(
    plan: Plan<ContainerOperation>,
    observed: ObservedState<DockerObserved>,
  ): Promise<Record<string, string>> {
    return resolveImages(plan, observed, this.engine);
  }

  pinImages(desired: DesiredState, images: Record<string, string>): Promise<DesiredState> {
    return pinImages(desired, images, this.engine);
  }

  run(op: ContainerOperation, ctx: RunContext): Promise<void> {
    return runContainerOperation(op, this.engine, ctx);
  }

  watch(project: string, handlers: EventHandlers): Promise<EventFeed> {
    return this.engine.call('watch events', () => watchContainers(this.engine.docker, project, handlers));
  }

  endpoints(project: string): Promise<Endpoint[]> {
    return healthyEndpoints(this.engine, project);
  }
}
