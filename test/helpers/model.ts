import type { ConfigSpec, DesiredState, ServiceSpec } from '../../src/model/desired.ts';
import { DEFAULT_UPDATE } from '../../src/model/desired.ts';
import type { ObservedState } from '../../src/model/observed.ts';
import type { DockerObserved, ObservedContainer } from '../../src/backends/docker/model.ts';
import { serviceSpecHash, specRecord } from '../../src/model/hash.ts';

/** Plain normalized objects for planner tests: no YAML, no Docker, no fakes. */
export function service(name: string, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    image: 'app:1',
    replicas: 1,
    env: {},
    envFrom: [],
    ports: [],
    volumes: [],
    networks: ['default'],
    dependsOn: [],
    update: DEFAULT_UPDATE,
    restart: 'unless-stopped',
    resources: {},
    labels: {},
    stopGracePeriodMs: 10_000,
    ...over,
  };
}

export function desired(services: ServiceSpec[], configs: ConfigSpec[] = [], project = 'shop'): DesiredState {
  return {
    project: { name: project, paths: [], prune: true, update: DEFAULT_UPDATE },
    services,
    configs,
    networks: [{ name: 'default', driver: 'bridge', internal: false, labels: {} }],
    volumes: [],
    locations: {},
  };
}

export function emptyObserved(over: Partial<ObservedState<DockerObserved>> = {}): ObservedState<DockerObserved> {
  return { containers: [], networks: [], volumes: [], keys: {}, ownedKeys: [], ...over };
}

/** A running container exactly as bosun would have created it from `d`'s service. */
export function running(
  d: DesiredState,
  name: string,
  replica: number,
  over: Partial<ObservedContainer> = {},
): ObservedContainer {
  const s = d.services.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return {
    id: `${name}-${replica}-id`,
    name: `${d.project.name}-${name}-${replica}`,
    service: name,
    replica,
    specHash: serviceSpecHash(s, d.configs),
    spec: specRecord(s, d.configs),
    image: s.image,
    state: 'running',
    health: 'none',
    ...over,
  };
}

/** Observed state in which every desired replica already runs, plus the project's default network. */
export function converged(d: DesiredState): ObservedState<DockerObserved> {
  const containers = d.services.flatMap((s) => Array.from({ length: s.replicas }, (_, i) => running(d, s.name, i + 1)));
  return emptyObserved({ containers, networks: d.networks.map((n) => `${d.project.name}_${n.name}`) });
}
