/**
 * `bosun convert`: a mapped compose stack → the bosun/v1 manifests that load to the same
 * desired state (a migration path, and a readable view of what bosun understood). Names bosun/v1
 * refuses (`db_data`, `secret-db_password`) become `db-data`; the engine names stay as they
 * were through `engineName`, so the volumes' data is found either way.
 */
import { stringify } from 'yaml';
import { BosunError, Codes } from '../../errors.ts';
import type { ConfigSpec, DesiredState, NetworkSpec, ServiceSpec, VolumeSpec } from '../../model/desired.ts';

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

/** A compose name as bosun/v1 allows it; refused when no simple spelling fits. */
export function bosunName(name: string): string {
  const fixed = name.toLowerCase().replace(/[_.]/g, '-');
  if (!NAME.test(fixed))
    throw new BosunError(Codes.usage, `"${name}" has no bosun/v1 name (1-63 lowercase letters, digits or "-")`);
  return fixed;
}

/** ms → `1m30s`, `500ms` */
export function durationText(ms: number): string {
  if (ms === 0) return '0s';
  const parts: string[] = [];
  let rest = ms;
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.join('');
}

/** A repo path → relative to the stack folder the manifests are written in. */
function fromStack(stackDir: string, repoPath: string): string {
  if (stackDir === '') return repoPath === '' ? '.' : repoPath;
  if (repoPath === stackDir) return '.';
  return repoPath.startsWith(`${stackDir}/`) ? repoPath.slice(stackDir.length + 1) : repoPath;
}

function doc(kind: string, name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'bosun/v1', kind, metadata: { name }, spec };
}

function serviceDoc(s: ServiceSpec, stackDir: string): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  if (!s.build || !s.image.includes(`:${s.build.identity.slice(0, 12)}`)) spec.image = s.image;
  if (s.build) {
    const { context, dockerfile, target, args } = s.build;
    spec.build = { context: fromStack(stackDir, context), dockerfile, ...(target ? { target } : {}), args };
  }
  if (s.copies)
    spec.copies = s.copies.map((c) => ({
      source: fromStack(stackDir, c.source),
      target: c.target,
      readOnly: c.readOnly,
    }));
  spec.replicas = s.replicas;
  if (s.command) spec.command = s.command;
  if (s.entrypoint) spec.entrypoint = s.entrypoint;
  spec.env = s.env;
  if (s.files) spec.files = s.files.map((f) => ({ ...f, config: bosunName(f.config) }));
  spec.ports = s.ports;
  spec.volumes = s.volumes.map((m) => (m.volume ? { ...m, volume: bosunName(m.volume) } : m));
  if (!s.options?.networkMode) spec.networks = s.networks.map(bosunName);
  if (s.healthcheck) {
    const h = s.healthcheck;
    spec.healthcheck = {
      cmd: h.cmd,
      interval: durationText(h.intervalMs),
      timeout: durationText(h.timeoutMs),
      retries: h.retries,
      startPeriod: durationText(h.startPeriodMs),
    };
  }
  spec.dependsOn = s.dependsOn.map(bosunName);
  const u = s.update;
  spec.update = {
    parallelism: u.parallelism,
    order: u.order,
    delay: durationText(u.delayMs),
    monitor: durationText(u.monitorMs),
    failureAction: u.failureAction,
  };
  spec.restart = s.restart;
  spec.resources = {
    ...(s.resources.memoryBytes === undefined ? {} : { memory: s.resources.memoryBytes }),
    ...(s.resources.cpus === undefined ? {} : { cpus: s.resources.cpus }),
  };
  spec.labels = s.labels;
  spec.stopGracePeriod = durationText(s.stopGracePeriodMs);
  if (s.user !== undefined) spec.user = s.user;
  if (s.workingDir !== undefined) spec.workingDir = s.workingDir;
  if (s.options) spec.options = optionsDoc(s.options);
  return doc('Service', bosunName(s.name), spec);
}

function optionsDoc(o: NonNullable<ServiceSpec['options']>): Record<string, unknown> {
  const { tmpfs, shmSizeBytes, networkOptions, ...rest } = o;
  const out: Record<string, unknown> = { ...rest };
  if (tmpfs)
    out.tmpfs = tmpfs.map((t) => ({
      target: t.target,
      ...(t.sizeBytes === undefined ? {} : { size: t.sizeBytes }),
      ...(t.mode === undefined ? {} : { mode: t.mode }),
    }));
  if (shmSizeBytes !== undefined) out.shmSize = shmSizeBytes;
  if (networkOptions)
    out.networkOptions = Object.fromEntries(Object.entries(networkOptions).map(([k, v]) => [bosunName(k), v]));
  return out;
}

function networkDoc(n: NetworkSpec): Record<string, unknown> {
  const { name, ...spec } = n;
  return doc('Network', bosunName(name), spec);
}

function volumeDoc(v: VolumeSpec): Record<string, unknown> {
  const { name, ...spec } = v;
  return doc('Volume', bosunName(name), spec);
}

function configDoc(c: ConfigSpec): Record<string, unknown> {
  return doc('Config', bosunName(c.name), { prefix: c.prefix, data: c.data, ...(c.secret ? { secret: true } : {}) });
}

/** Multi-document YAML: the Project, then Services, Configs, Networks and Volumes by name. */
export function toBosunV1(desired: DesiredState, stackDir: string): string {
  const p = desired.project;
  const u = p.update;
  const docs = [
    doc('Project', p.name, {
      update: {
        parallelism: u.parallelism,
        order: u.order,
        delay: durationText(u.delayMs),
        monitor: durationText(u.monitorMs),
        failureAction: u.failureAction,
      },
    }),
    ...desired.services.map((s) => serviceDoc(s, stackDir)),
    ...desired.configs.map(configDoc),
    ...desired.networks.map(networkDoc),
    ...desired.volumes.map(volumeDoc),
  ];
  const header = `# bosun/v1 manifests converted from the compose stack "${p.name}"; copies and builds are relative to this folder\n`;
  return header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}
