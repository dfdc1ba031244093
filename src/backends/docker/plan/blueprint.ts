import type { ContainerOptions, DesiredState, ServiceSpec } from '../../../model/desired.ts';
import type { EngineOptions } from '../engine-options.ts';
import type { ContainerBlueprint } from '../model.ts';
import { Label } from '../../../model/labels.ts';
import { resolveFiles } from '../../../model/env.ts';
import type { ServiceFacts } from '../../../plan/facts.ts';
import { copiedFiles } from './builds.ts';
import { networkEngineName, serviceContainerName, volumeEngineName } from './names.ts';

const NS_PER_MS = 1_000_000;

/**
 * A service from a compose file carries compose's project and service labels; the replica's
 * number is only known here, and tools grouping by compose's labels (docker compose ps,
 * Traefik, Portainer) expect it on every container.
 */
function composeNumber(service: ServiceSpec, replica: number): Record<string, string> {
  return service.labels['com.docker.compose.project'] === undefined
    ? {}
    : { 'com.docker.compose.container-number': String(replica) };
}

/** Everything one replica's container is made of; `facts.record` holds the resolved environment. */
export function blueprintFor(
  desired: DesiredState,
  service: ServiceSpec,
  replica: number,
  facts: ServiceFacts,
): ContainerBlueprint {
  const project = desired.project.name;
  const env = facts.record.env;
  return {
    name: serviceContainerName(project, service, replica),
    service: service.name,
    replica,
    image: service.image,
    command: service.command,
    entrypoint: service.entrypoint,
    env: Object.entries(env).map(([k, v]) => `${k}=${v}`),
    labels: {
      ...service.labels,
      ...composeNumber(service, replica),
      [Label.project]: project,
      [Label.service]: service.name,
      [Label.replica]: String(replica),
      [Label.specHash]: facts.hash,
      [Label.spec]: facts.recordJson,
    },
    files: resolveFiles(service, desired.configs),
    ...(service.copies?.length ? { copies: copiedFiles(service) } : {}),
    ports: service.ports.map((p) => ({
      containerPort: `${p.container}/${p.protocol}`,
      hostPort: p.host === undefined ? '' : String(p.host),
      hostIp: p.hostIp ?? '',
    })),
    mounts: service.volumes.map((m) => ({
      type: m.volume ? ('volume' as const) : ('bind' as const),
      source: m.volume ? volumeEngineName(desired, m.volume) : (m.hostPath ?? ''),
      target: m.target,
      readOnly: m.readOnly,
    })),
    networks: service.networks.map((n) => networkEngineName(desired, n)),
    alias: service.name,
    healthcheck: service.healthcheck && {
      test: service.healthcheck.cmd,
      intervalNs: service.healthcheck.intervalMs * NS_PER_MS,
      timeoutNs: service.healthcheck.timeoutMs * NS_PER_MS,
      retries: service.healthcheck.retries,
      startPeriodNs: service.healthcheck.startPeriodMs * NS_PER_MS,
    },
    restart: service.restart,
    memoryBytes: service.resources.memoryBytes,
    nanoCpus: service.resources.cpus === undefined ? undefined : Math.round(service.resources.cpus * 1e9),
    stopTimeoutSec: Math.ceil(service.stopGracePeriodMs / 1000),
    user: service.user,
    workingDir: service.workingDir,
    ...(service.options ? { options: engineOptions(desired, service.options) } : {}),
  };
}

/** networkOptions are keyed by network manifest name in the model, by the engine's name here. */
function engineOptions(desired: DesiredState, o: ContainerOptions): EngineOptions {
  const { networkOptions, ...rest } = o;
  if (!networkOptions) return rest;
  const byEngine = Object.entries(networkOptions).map(([n, v]) => [networkEngineName(desired, n), v] as const);
  return { ...rest, networkOptions: Object.fromEntries(byEngine) };
}
