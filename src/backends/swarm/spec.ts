/**
 * A bosun service as a Swarm service spec: pure, so the plan shows exactly what the manager will
 * be asked for. Config files become swarm configs and secrets named by their content, so a
 * changed value is a new object and rolls the service; the tag is pinned to an image id at run.
 */
import type Docker from 'dockerode';
import type { DesiredState, MountSpec, ServiceSpec } from '../../model/desired.ts';
import { resolveFiles } from '../../model/env.ts';
import { sha256 } from '../../model/hash.ts';
import { Label } from '../../model/labels.ts';
import type { ServiceFacts } from '../../plan/facts.ts';
import { networkEngineName, volumeEngineName } from '../docker/plan/names.ts';
import type { SwarmFileObject } from './model.ts';

const NS_PER_MS = 1_000_000;
export const FILE_LABEL = 'bosun.file';

/** How services reach each other and the outside: the routing mesh needs IPVS in the kernel. */
export interface SwarmOptions {
  /** true: VIPs and ingress-published ports; false: DNS round robin and ports published on each task's host */
  mesh: boolean;
}

export function swarmServiceName(project: string, service: string): string {
  return `${project}_${service}`;
}

/** The swarm objects holding a service's Config files, one per file, named by path and content digest. */
export function fileObjects(desired: DesiredState, service: ServiceSpec, facts: ServiceFacts): SwarmFileObject[] {
  const project = desired.project.name;
  return resolveFiles(service, desired.configs).map((f) => {
    // the recorded digest is keyed for secret files: the name never reveals a secret's content
    const digest = facts.record.files?.[f.path] ?? sha256(f.content);
    return {
      kind: f.secret ? 'secret' : 'config',
      name: `${project}_${service.name}_${sha256(`${f.path}\0${digest}`).slice(0, 16)}`,
      data: Buffer.from(f.content).toString('base64'),
      labels: { [Label.project]: project, [Label.service]: service.name, [FILE_LABEL]: f.path },
    };
  });
}

export function swarmSpec(
  desired: DesiredState,
  service: ServiceSpec,
  facts: ServiceFacts,
  opts: SwarmOptions,
): Docker.CreateServiceOptions {
  const project = desired.project.name;
  const own = { [Label.project]: project, [Label.service]: service.name, [Label.specHash]: facts.hash };
  return {
    Name: swarmServiceName(project, service.name),
    Labels: { ...service.labels, ...own, [Label.spec]: facts.recordJson },
    TaskTemplate: {
      ContainerSpec: containerSpec(desired, service, facts, own),
      Resources: {
        Limits: {
          MemoryBytes: service.resources.memoryBytes,
          NanoCPUs: service.resources.cpus === undefined ? undefined : Math.round(service.resources.cpus * 1e9),
        },
      },
      RestartPolicy: restartPolicy(service.restart),
      Networks: service.networks.map((n) => ({ Target: networkEngineName(desired, n), Aliases: [service.name] })),
    },
    Mode: { Replicated: { Replicas: service.replicas } },
    UpdateConfig: {
      Parallelism: service.update.parallelism,
      Delay: service.update.delayMs * NS_PER_MS,
      Order: service.update.order,
      // the swarm stops; bosun rolls the whole stack back to the previous release
      FailureAction: 'pause',
      Monitor: Math.max(service.update.monitorMs, 1) * NS_PER_MS,
      MaxFailureRatio: 0,
    },
    EndpointSpec: {
      Mode: opts.mesh ? 'vip' : 'dnsrr',
      Ports: service.ports.map((p) => ({
        Protocol: p.protocol,
        TargetPort: p.container,
        PublishedPort: p.host,
        PublishMode: opts.mesh ? 'ingress' : 'host',
      })),
    },
  };
}

function containerSpec(
  desired: DesiredState,
  service: ServiceSpec,
  facts: ServiceFacts,
  labels: Record<string, string>,
): Docker.ContainerSpec {
  const files = fileObjects(desired, service, facts);
  const paths = resolveFiles(service, desired.configs);
  const refs = files.map((o, i) => ({
    object: o,
    file: { Name: paths[i].path, UID: '0', GID: '0', Mode: paths[i].mode },
  }));
  const hc = service.healthcheck;
  return {
    Image: service.image,
    Labels: labels,
    Command: service.entrypoint,
    Args: service.command,
    Env: Object.entries(facts.record.env).map(([k, v]) => `${k}=${v}`),
    Dir: service.workingDir,
    User: service.user,
    StopGracePeriod: service.stopGracePeriodMs * NS_PER_MS,
    Mounts: service.volumes.map((m) => mountOf(desired, m)),
    HealthCheck: hc && {
      Test: ['CMD', ...hc.cmd],
      Interval: hc.intervalMs * NS_PER_MS,
      Timeout: hc.timeoutMs * NS_PER_MS,
      Retries: hc.retries,
      StartPeriod: hc.startPeriodMs * NS_PER_MS,
    },
    Configs: refs.filter((r) => r.object.kind === 'config').map((r) => ({ ConfigName: r.object.name, File: r.file })),
    Secrets: refs.filter((r) => r.object.kind === 'secret').map((r) => ({ SecretName: r.object.name, File: r.file })),
  };
}

/** Named volumes are made by each node's engine when a task first needs them, labelled as bosun's. */
function mountOf(desired: DesiredState, m: MountSpec): Docker.MountSettings {
  const project = desired.project.name;
  const base = { Target: m.target, ReadOnly: m.readOnly };
  if (m.hostPath) return { ...base, Type: 'bind', Source: m.hostPath };
  if (!m.volume) return { ...base, Type: 'volume', Source: '' };
  const spec = desired.volumes.find((v) => v.name === m.volume);
  const driver = spec?.driver ?? 'local';
  // an external volume is used as found, never labelled (made) as bosun's
  if (spec?.external) return { ...base, Type: 'volume', Source: volumeEngineName(desired, m.volume) };
  return {
    ...base,
    Type: 'volume',
    Source: volumeEngineName(desired, m.volume),
    VolumeOptions: {
      NoCopy: false,
      Labels: { [Label.project]: project, [Label.volume]: m.volume },
      DriverConfig: { Name: driver, Options: {} },
    },
  };
}

function restartPolicy(restart: ServiceSpec['restart']): Docker.TaskRestartPolicy {
  const condition = restart === 'no' ? 'none' : restart === 'on-failure' ? 'on-failure' : 'any';
  // a short delay: a crashing task is not restarted in a tight loop, a lost node's tasks move fast
  return { Condition: condition, Delay: 1000 * NS_PER_MS };
}
