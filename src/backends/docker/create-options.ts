import type Docker from 'dockerode';
import type { ContainerBlueprint } from './model.ts';

/** Translates the planner's blueprint into the engine's create body; no decisions are made here. */
export function createOptions(
  bp: ContainerBlueprint,
  extraLabels: Record<string, string>,
): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostPort: string; HostIp: string }[]> = {};
  for (const p of bp.ports) {
    exposed[p.containerPort] = {};
    (bindings[p.containerPort] ??= []).push({ HostPort: p.hostPort, HostIp: p.hostIp });
  }
  const [firstNetwork] = bp.networks;
  return {
    name: bp.name,
    Image: bp.image,
    Cmd: bp.command,
    Entrypoint: bp.entrypoint,
    Env: bp.env,
    Labels: { ...bp.labels, ...extraLabels },
    User: bp.user,
    WorkingDir: bp.workingDir,
    StopTimeout: bp.stopTimeoutSec,
    ExposedPorts: exposed,
    Healthcheck: bp.healthcheck && {
      Test: ['CMD', ...bp.healthcheck.test],
      Interval: bp.healthcheck.intervalNs,
      Timeout: bp.healthcheck.timeoutNs,
      Retries: bp.healthcheck.retries,
      StartPeriod: bp.healthcheck.startPeriodNs,
    },
    HostConfig: {
      PortBindings: bindings,
      Mounts: bp.mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
      RestartPolicy: { Name: bp.restart },
      Memory: bp.memoryBytes,
      NanoCpus: bp.nanoCpus,
      NetworkMode: firstNetwork,
    },
    NetworkingConfig: firstNetwork ? { EndpointsConfig: { [firstNetwork]: { Aliases: [bp.alias] } } } : undefined,
  };
}
