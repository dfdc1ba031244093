import type { Backend, EventFeed, NodeDown, EventHandlers, RunContext, Teardown, WorkloadPlan } from '../backend.ts';
import type { DesiredState } from '../../model/desired.ts';
import type { Endpoint } from '../../model/endpoint.ts';
import type { ObservedState } from '../../model/observed.ts';
import type { Plan } from '../../model/plan.ts';
import type { DockerTarget } from '../docker/host.ts';
import { pinImages } from '../docker/images.ts';
import { swarmEndpoints } from './endpoints.ts';
import { watchSwarm } from './events.ts';
import type { SwarmObserved, SwarmOperation } from './model.ts';
import { nodesDown } from './nodes.ts';
import { planSwarm } from './plan.ts';
import { runSwarmOperation } from './run.ts';
import { SwarmRuntime } from './runtime.ts';
import type { SwarmOptions } from './spec.ts';

export type { SwarmOptions } from './spec.ts';

/**
 * A Docker Swarm, through one manager: the project's workloads are swarm services; the swarm
 * places and restarts their tasks across nodes, bosun decides which spec each one runs.
 */
export class SwarmBackend implements Backend<SwarmOperation, SwarmObserved> {
  readonly name = 'swarm';
  readonly engine: SwarmRuntime;
  readonly endpoint: string;

  constructor(
    target: DockerTarget | string,
    readonly opts: SwarmOptions = { mesh: true },
  ) {
    this.engine = new SwarmRuntime(target);
    this.endpoint = this.engine.endpoint;
  }

  async ping(): Promise<void> {
    await this.engine.ping();
    await this.engine.requireManager();
  }

  async observe(project: string): Promise<SwarmObserved> {
    const [services, networks, files, nodes] = await Promise.all([
      this.engine.listServices(project),
      this.engine.listNetworks(project),
      this.engine.listFiles(project),
      this.engine.listNodes(),
    ]);
    return { services, networks: networks.own, elsewhereNetworks: networks.others, ...files, nodes };
  }

  plan(
    desired: DesiredState,
    observed: ObservedState<SwarmObserved>,
    teardown?: Teardown,
  ): WorkloadPlan<SwarmOperation> {
    return planSwarm(desired, observed, this.opts, teardown);
  }

  /** Each image the plan starts, pinned to the id the manager knows; a service left alone keeps its recorded id. */
  async resolveImages(plan: Plan<SwarmOperation>): Promise<Record<string, string>> {
    const images: Record<string, string> = {};
    // one at a time, so with several images missing the error always names the same one
    for (const s of plan.desired.services) images[s.name] = await this.engine.ensureImage(s.image);
    return images;
  }

  pinImages(desired: DesiredState, recorded: Record<string, string>): Promise<DesiredState> {
    return pinImages(desired, recorded, this.engine);
  }

  run(op: SwarmOperation, ctx: RunContext): Promise<void> {
    return runSwarmOperation(op, this.engine, ctx);
  }

  watch(project: string, handlers: EventHandlers): Promise<EventFeed> {
    return this.engine.call('watch events', () => watchSwarm(this.engine.docker, project, handlers));
  }

  async endpoints(project: string): Promise<Endpoint[]> {
    const [services, nodes] = await Promise.all([this.engine.listServices(project), this.engine.listNodes()]);
    return swarmEndpoints(services, nodes);
  }

  async nodesDown(project: string): Promise<NodeDown[]> {
    const [services, nodes] = await Promise.all([this.engine.listServices(project), this.engine.listNodes()]);
    return nodesDown({ services, nodes });
  }
}
