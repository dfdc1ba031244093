import type Docker from 'dockerode';
import { configFields, endpointConfig, exposedPorts, hostConfigFields } from './engine-options.ts';
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
  for (const port of exposedPorts(bp.options)) exposed[port] = {};
  const [firstNetwork] = bp.networks;
  return {
    name: bp.name,
    // a query parameter of the create call, as the engine's API takes it (the body ignores it)
    ...(bp.options?.platform ? { platform: bp.options.platform } : {}),
    Image: bp.image,
    Cmd: bp.command,
    Entrypoint: bp.entrypoint,
    Env: bp.env,
    Labels: { ...bp.labels, ...extraLabels },
    User: bp.user,
    WorkingDir: bp.workingDir,
    StopTimeout: bp.stopTimeoutSec,
    ...configFields(bp.options),
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
      NetworkMode: firstNetwork ?? bp.options?.networkMode,
      ...hostConfigFields(bp.options),
    },
    NetworkingConfig: firstNetwork
      ? { EndpointsConfig: { [firstNetwork]: endpointConfig(bp.options, firstNetwork, bp.alias) } }
      : undefined,
  };
}
