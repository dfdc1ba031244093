/**
 * One compose service → ServiceSpec. Keys this file does not know are refused by name rather
 * than dropped: a stack must never run differently from what its file says without a word.
 */
import type { ServiceSpec } from '../../../model/desired.ts';
import { normalizeMounts, normalizePorts } from '../../bosun-v1/normalize-service.ts';
import { sortedRecord } from '../../../model/sort.ts';
import { asList, asText, isObj, listOrDict, type MapContext, type Obj, report } from './context.ts';
import { mapBuild } from './build.ts';
import { mapEnvironment } from './env.ts';
import { mapServiceFiles } from './files.ts';
import { mapHealthcheck, mapRestart, mapUpdate } from './health.ts';
import { mapServiceNetworks } from './networks.ts';
import { mapOptions } from './options.ts';
import { mapExpose, mapPorts } from './ports.ts';
import { mapServiceVolumes } from './volumes.ts';
import { composeBytes, composeDurationMs, shellWords } from './units.ts';

/** keys read here or by the loader (profiles, extends) */
const KNOWN = new Set(
  (
    'image build command entrypoint environment env_file ports expose volumes tmpfs networks network_mode ' +
    'healthcheck depends_on deploy scale labels container_name hostname user working_dir init tty stdin_open ' +
    'read_only privileged stop_signal stop_grace_period cap_add cap_drop sysctls ulimits extra_hosts dns ' +
    'dns_search dns_opt shm_size logging devices platform secrets configs restart pull_policy profiles extends ' +
    'mem_limit cpus'
  ).split(' '),
);
const DEPLOY = new Set(['replicas', 'resources', 'update_config', 'restart_policy', 'mode']);

/** compose's own labels, so `docker compose ps`, Traefik or Portainer group the containers. */
export const COMPOSE_LABELS = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  oneoff: 'com.docker.compose.oneoff',
} as const;

export interface MapServiceInput {
  name: string;
  raw: Obj;
  volumes: Set<string>;
  networks: Set<string>;
}

function words(ctx: MapContext, path: (string | number)[], v: unknown): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (Array.isArray(v)) return v.map(asText);
  const split = shellWords(asText(v));
  if (!split) report(ctx, path, 'has an unclosed quote');
  return split;
}

function replicasOf(ctx: MapContext, path: (string | number)[], s: Obj, deploy: Obj): number {
  const fromDeploy = typeof deploy.replicas === 'number' ? deploy.replicas : undefined;
  const fromScale = typeof s.scale === 'number' ? s.scale : undefined;
  if (fromDeploy !== undefined && fromScale !== undefined && fromDeploy !== fromScale) {
    report(ctx, [...path, 'scale'], `scale ${fromScale} contradicts deploy.replicas ${fromDeploy}`);
  }
  if (deploy.mode !== undefined && deploy.mode !== 'replicated')
    report(ctx, [...path, 'deploy', 'mode'], 'only replicated is supported');
  return fromScale ?? fromDeploy ?? 1;
}

function resourcesOf(ctx: MapContext, path: (string | number)[], s: Obj, deploy: Obj): ServiceSpec['resources'] {
  const res = isObj(deploy.resources) ? deploy.resources : {};
  for (const key of Object.keys(res))
    if (key !== 'limits')
      report(ctx, [...path, 'deploy', 'resources', key], `resources.${key} is not supported (limits are)`);
  const limits = isObj(res.limits) ? res.limits : {};
  for (const key of Object.keys(limits)) {
    if (key !== 'memory' && key !== 'cpus')
      report(
        ctx,
        [...path, 'deploy', 'resources', 'limits', key],
        `limits.${key} is not supported (memory and cpus are)`,
      );
  }
  const out: ServiceSpec['resources'] = {};
  const memory = limits.memory ?? s.mem_limit;
  if (memory !== undefined) {
    const bytes = composeBytes(memory);
    if (bytes === undefined)
      report(
        ctx,
        [...path, 'deploy', 'resources', 'limits', 'memory'],
        'must be bytes or a quantity like 512m or 1.5g',
      );
    else out.memoryBytes = bytes;
  }
  const cpus = limits.cpus ?? s.cpus;
  if (cpus !== undefined) out.cpus = Number(cpus);
  return out;
}

function labelsOf(ctx: MapContext, path: (string | number)[], name: string, s: Obj): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of listOrDict(s.labels)) {
    if (k.startsWith('bosun.') || k.startsWith('com.docker.compose.'))
      report(ctx, [...path, 'labels', k], `labels under ${k.split('.')[0]}. are set by bosun`);
    else labels[k] = v ?? '';
  }
  labels[COMPOSE_LABELS.project] = ctx.loaded.project;
  labels[COMPOSE_LABELS.service] = name;
  labels[COMPOSE_LABELS.oneoff] = 'False';
  return sortedRecord(labels);
}

export function mapService(ctx: MapContext, input: MapServiceInput): ServiceSpec {
  const { name, raw: s } = input;
  const path = ['services', name];
  for (const key of Object.keys(s))
    if (!KNOWN.has(key) && !key.startsWith('x-')) report(ctx, [...path, key], `${key} is not supported by bosun`);
  const deploy: Obj = isObj(s.deploy) ? s.deploy : {};
  for (const key of Object.keys(deploy))
    if (!DEPLOY.has(key)) report(ctx, [...path, 'deploy', key], `deploy.${key} is not supported by bosun`);
  const mounts = mapServiceVolumes(ctx, [...path, 'volumes'], asList(s.volumes), input.volumes);
  const nets = mapServiceNetworks(ctx, path, s, input.networks);
  const built = s.build === undefined ? undefined : mapBuild(ctx, [...path, 'build'], name, s.build);
  if (s.image === undefined && s.build === undefined) report(ctx, path, 'needs image or build');
  const out: ServiceSpec = {
    name,
    image: s.image === undefined ? (built?.tag ?? '') : asText(s.image),
    replicas: replicasOf(ctx, path, s, deploy),
    env: mapEnvironment(ctx, path, s),
    envFrom: [],
    ports: normalizePorts(mapPorts(ctx, [...path, 'ports'], asList(s.ports))),
    volumes: normalizeMounts(mounts.volumes),
    networks: nets.networks,
    dependsOn: [],
    update: mapUpdate(ctx, [...path, 'deploy', 'update_config'], deploy.update_config),
    restart: mapRestart(ctx, path, s),
    resources: resourcesOf(ctx, path, s, deploy),
    labels: labelsOf(ctx, path, name, s),
    stopGracePeriodMs: 10_000,
  };
  if (s.stop_grace_period !== undefined) {
    const ms = composeDurationMs(s.stop_grace_period);
    if (ms === undefined) report(ctx, [...path, 'stop_grace_period'], 'must be a duration like 10s or 1m30s');
    else out.stopGracePeriodMs = ms;
  }
  const command = words(ctx, [...path, 'command'], s.command);
  if (command) out.command = command;
  const entrypoint = words(ctx, [...path, 'entrypoint'], s.entrypoint);
  if (entrypoint) out.entrypoint = entrypoint;
  const health = mapHealthcheck(ctx, [...path, 'healthcheck'], s.healthcheck);
  if (health) out.healthcheck = health;
  if (s.user !== undefined) out.user = asText(s.user);
  if (s.working_dir !== undefined) out.workingDir = asText(s.working_dir);
  const files = [
    ...mapServiceFiles(ctx, [...path, 'configs'], 'configs', asList(s.configs)),
    ...mapServiceFiles(ctx, [...path, 'secrets'], 'secrets', asList(s.secrets)),
  ];
  if (files.length > 0) out.files = files.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
  if (built) out.build = built.build;
  if (mounts.copies.length > 0) out.copies = mounts.copies.sort((a, b) => (a.target < b.target ? -1 : 1));
  const options = mapOptions(ctx, path, s);
  if (mounts.tmpfs.length > 0) options.tmpfs = [...(options.tmpfs ?? []), ...mounts.tmpfs];
  if (s.expose !== undefined) options.expose = mapExpose(ctx, [...path, 'expose'], asList(s.expose));
  if (nets.networkMode) options.networkMode = nets.networkMode;
  if (nets.networkOptions) options.networkOptions = nets.networkOptions;
  if (s.container_name !== undefined) {
    if (out.replicas !== 1)
      report(ctx, [...path, 'container_name'], `a fixed container name allows one replica, not ${out.replicas}`);
    options.containerName = asText(s.container_name);
  }
  if (Object.keys(options).length > 0)
    out.options = sortedRecord(options as Record<string, unknown>) as ServiceSpec['options'];
  return out;
}
