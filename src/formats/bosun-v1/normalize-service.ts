/**
 * A schema-valid Service document → ServiceSpec with every default filled in. Optional keys
 * that the user left out are omitted (never set to undefined) so hashing sees one shape.
 */
import { isScalar } from 'yaml';
import type { MountSpec, PortSpec, ServiceSpec, UpdatePolicy } from '../../model/desired.ts';
import { canonicalJson } from '../../model/hash.ts';
import { builtImageTag } from '../build-identity.ts';
import { nodeAt } from './locate.ts';
import type { RepoContent } from './repo-content.ts';
import { specOf, type RawHealthcheck, type RawMount, type RawPort, type RawUpdate } from './raw.ts';
import type { SourceDoc, Valid } from './types.ts';
import { parseDuration, parseMemory } from '../units.ts';
import { normalizeOptions } from './normalize-options.ts';
import { compareStrings, sortedRecord, sortedUnique } from '../../model/sort.ts';

export function normalizeService(
  m: Valid<'Service'>,
  projectUpdate: UpdatePolicy,
  project: string,
  repo: RepoContent = {},
): ServiceSpec {
  const s = specOf(m);
  const out: ServiceSpec = {
    name: m.name,
    // the schema asks for image or build, and a build that could not be read is an issue already
    image: s.image ?? builtImageTag(project, m.name, repo.build!.identity),
    replicas: s.replicas ?? 1,
    env: normalizeEnv(m.src, s.env ?? {}),
    envFrom: (s.envFrom ?? []).map((e) => ({ config: e.config, prefix: e.prefix ?? '' })),
    ports: normalizePorts(s.ports ?? []),
    volumes: normalizeMounts(s.volumes ?? []),
    // a networkMode stands instead of networks: the service is on none of the stack's
    networks: sortedUnique(s.networks ?? (s.options?.networkMode ? [] : ['default'])),
    dependsOn: sortedUnique(s.dependsOn ?? []),
    update: mergeUpdate(s.update, projectUpdate),
    restart: s.restart ?? 'unless-stopped',
    resources: {},
    labels: sortedRecord(s.labels ?? {}),
    stopGracePeriodMs: parseDuration(s.stopGracePeriod ?? '10s'),
  };
  if (s.files?.length) {
    out.files = s.files
      .map((f) => ({
        config: f.config,
        ...(f.key === undefined ? {} : { key: f.key }),
        target: f.target,
        mode: f.mode ?? 0o644,
      }))
      .sort((a, b) => compareStrings(a.target, b.target));
  }
  if (s.command) out.command = [...s.command];
  if (s.entrypoint) out.entrypoint = [...s.entrypoint];
  if (s.healthcheck) out.healthcheck = normalizeHealthcheck(s.healthcheck);
  if (s.resources?.memory !== undefined) out.resources.memoryBytes = parseMemory(s.resources.memory);
  if (s.resources?.cpus !== undefined) out.resources.cpus = s.resources.cpus;
  if (s.user !== undefined) out.user = s.user;
  if (s.workingDir !== undefined) out.workingDir = s.workingDir;
  if (repo.build) out.build = repo.build;
  if (repo.copies?.length) out.copies = repo.copies;
  const options = normalizeOptions(m.src, s.options);
  if (options) out.options = options;
  return out;
}

/** Each field from the service, else the Project's policy (itself defaulted from DEFAULT_UPDATE). */
export function mergeUpdate(raw: RawUpdate | undefined, base: UpdatePolicy): UpdatePolicy {
  return {
    parallelism: raw?.parallelism ?? base.parallelism,
    order: raw?.order ?? base.order,
    delayMs: raw?.delay === undefined ? base.delayMs : parseDuration(raw.delay),
    monitorMs: raw?.monitor === undefined ? base.monitorMs : parseDuration(raw.monitor),
    failureAction: raw?.failureAction ?? base.failureAction,
  };
}

/**
 * Numbers and booleans become the text the user wrote (`1.10` stays "1.10", `0x1F` stays
 * "0x1F"), not JavaScript's rendering of the parsed value.
 */
function normalizeEnv(src: SourceDoc, env: Record<string, string | number | boolean>): Record<string, string> {
  const asWritten = (key: string, value: string | number | boolean): string => {
    if (typeof value === 'string') return value;
    const node = nodeAt(src, ['spec', 'env', key]);
    return isScalar(node) && typeof node.source === 'string' && node.source !== '' ? node.source : String(value);
  };
  // built with fromEntries (not assignment) so even a key like __proto__ stays a plain entry
  return sortedRecord(Object.fromEntries(Object.entries(env).map(([k, v]) => [k, asWritten(k, v)])));
}

function normalizeHealthcheck(h: RawHealthcheck): NonNullable<ServiceSpec['healthcheck']> {
  return {
    cmd: [...h.cmd],
    intervalMs: parseDuration(h.interval ?? '5s'),
    timeoutMs: parseDuration(h.timeout ?? '3s'),
    retries: h.retries ?? 3,
    startPeriodMs: parseDuration(h.startPeriod ?? '0s'),
  };
}

/** Order carries no meaning for ports and mounts: sort (and drop exact repeats) for stable hashes. */
export function normalizePorts(ports: RawPort[]): PortSpec[] {
  const specs = ports.map((p) => {
    const spec: PortSpec = { container: p.container, protocol: p.protocol ?? 'tcp' };
    if (p.host !== undefined) spec.host = p.host;
    if (p.hostIp !== undefined) spec.hostIp = p.hostIp;
    return spec;
  });
  const key = (p: PortSpec) => [p.container, p.protocol, p.host ?? 0, p.hostIp ?? ''] as const;
  return unique(specs).sort((a, b) => compareTuples(key(a), key(b)));
}

export function normalizeMounts(mounts: RawMount[]): MountSpec[] {
  const specs = mounts.map((m) => {
    const spec: MountSpec = { target: m.target, readOnly: m.readOnly ?? false };
    if (m.volume !== undefined) spec.volume = m.volume;
    if (m.hostPath !== undefined) spec.hostPath = m.hostPath;
    return spec;
  });
  const key = (m: MountSpec) => [m.target, m.volume ?? '', m.hostPath ?? '', String(m.readOnly)] as const;
  return unique(specs).sort((a, b) => compareTuples(key(a), key(b)));
}

function unique<T>(items: T[]): T[] {
  return [...new Map(items.map((item) => [canonicalJson(item), item])).values()];
}

function compareTuples(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    const order = typeof x === 'number' && typeof y === 'number' ? x - y : compareStrings(String(x), String(y));
    if (order !== 0) return order;
  }
  return 0;
}
