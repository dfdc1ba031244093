/**
 * Rules that span documents: names are unique per kind, references resolve, host ports and
 * Config prefixes do not collide. Names of invalid documents still count as declared, so one
 * typo in a Config does not also flag every service that reads it.
 */
import type { ManifestIssue } from '../../errors.ts';
import { SECRET_ENV_ADVICE } from '../../model/env.ts';
import { optionIssues } from './check-options.ts';
import { cycleIssues } from './cycles.ts';
import { issueAt, positionOf } from './locate.ts';
import { specOf } from './raw.ts';
import { KINDS, validOfKind, type Kind, type Manifest, type Segment, type Valid } from './types.ts';

export function crossChecks(manifests: Manifest[]): ManifestIssue[] {
  const services = validOfKind(manifests, 'Service');
  const names = declaredNames(manifests);
  return [
    ...duplicateIssues(manifests),
    ...services.flatMap((s) => referenceIssues(s, names)),
    ...fileKeyIssues(services, validOfKind(manifests, 'Config')),
    ...secretEnvIssues(services, validOfKind(manifests, 'Config')),
    ...cycleIssues(services),
    ...hostPortIssues(services),
    ...prefixIssues(validOfKind(manifests, 'Config')),
    ...optionIssues(manifests),
  ];
}

/** `file:line` of a node, for "first declared at" hints. */
function where(m: Manifest, at: Segment[]): string {
  return `${m.src.file}:${positionOf(m.src, at).line}`;
}

function duplicateIssues(manifests: Manifest[]): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const first = new Map<string, Manifest>();
  for (const m of manifests) {
    // a second Project is wrong whatever its name
    const key = m.kind === 'Project' ? 'Project' : `${m.kind}/${m.name}`;
    if (m.kind !== 'Project' && m.name === undefined) continue;
    const prev = first.get(key);
    if (!prev) {
      first.set(key, m);
    } else if (m.kind === 'Project') {
      out.push(issueAt(m.src, ['kind'], `only one Project is allowed (first declared at ${where(prev, ['kind'])})`));
    } else {
      const at = ['metadata', 'name'];
      out.push(issueAt(m.src, at, `duplicate ${m.kind} "${m.name}" (first declared at ${where(prev, at)})`));
    }
  }
  return out;
}

function declaredNames(manifests: Manifest[]): Record<Kind, Set<string>> {
  const names = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as Record<Kind, Set<string>>;
  for (const m of manifests) if (m.name !== undefined) names[m.kind].add(m.name);
  // every stack has a default network, declared or not
  names.Network.add('default');
  return names;
}

function referenceIssues(m: Valid<'Service'>, names: Record<Kind, Set<string>>): ManifestIssue[] {
  const spec = specOf(m);
  const out: ManifestIssue[] = [];
  const expect = (kind: Kind, name: string, at: Segment[]) => {
    if (!names[kind].has(name)) out.push(issueAt(m.src, at, `no ${kind} named "${name}"`));
  };
  (spec.dependsOn ?? []).forEach((dep, i) => {
    const at = ['spec', 'dependsOn', i];
    if (dep === m.name) out.push(issueAt(m.src, at, 'a service cannot depend on itself'));
    else expect('Service', dep, at);
  });
  (spec.envFrom ?? []).forEach((from, i) => expect('Config', from.config, ['spec', 'envFrom', i, 'config']));
  (spec.files ?? []).forEach((file, i) => expect('Config', file.config, ['spec', 'files', i, 'config']));
  (spec.volumes ?? []).forEach((mount, i) => {
    if (mount.volume !== undefined) expect('Volume', mount.volume, ['spec', 'volumes', i, 'volume']);
  });
  (spec.networks ?? []).forEach((net, i) => expect('Network', net, ['spec', 'networks', i]));
  return out;
}

/** A `files` entry naming a key its Config lacks would write an empty file without a word. */
function fileKeyIssues(services: Valid<'Service'>[], configs: Valid<'Config'>[]): ManifestIssue[] {
  const keysOf = (c: Valid<'Config'>) => ({ ...specOf(c).data, ...specOf(c).dataFrom });
  const data = new Map(configs.map((c) => [c.name, keysOf(c)]));
  return services.flatMap((m) =>
    (specOf(m).files ?? []).flatMap((file, i) => {
      const keys = data.get(file.config);
      if (file.key === undefined || keys === undefined || Object.hasOwn(keys, file.key)) return [];
      return [issueAt(m.src, ['spec', 'files', i, 'key'], `Config "${file.config}" has no key "${file.key}"`)];
    }),
  );
}

/** Docker has no hidden environment: a secret read through envFrom would show in docker inspect. */
function secretEnvIssues(services: Valid<'Service'>[], configs: Valid<'Config'>[]): ManifestIssue[] {
  const secret = new Set(configs.filter((c) => specOf(c).secret === true).map((c) => c.name));
  return services.flatMap((m) =>
    (specOf(m).envFrom ?? []).flatMap((from, i) => {
      if (!secret.has(from.config)) return [];
      const message = `Config "${from.config}" is secret and cannot be read through envFrom: ${SECRET_ENV_ADVICE}`;
      return [issueAt(m.src, ['spec', 'envFrom', i, 'config'], message)];
    }),
  );
}

interface HostPort {
  m: Valid<'Service'>;
  index: number;
  hostIp?: string;
}

const ANY_ADDRESS = new Set(['0.0.0.0', '::']);

/** Two bindings clash unless both name different, specific addresses. */
function clash(a: HostPort, b: HostPort): boolean {
  if (a.hostIp === undefined || b.hostIp === undefined) return true;
  return a.hostIp === b.hostIp || ANY_ADDRESS.has(a.hostIp) || ANY_ADDRESS.has(b.hostIp);
}

function hostPortIssues(services: Valid<'Service'>[]): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  const seen = new Map<string, HostPort[]>();
  for (const m of services) {
    (specOf(m).ports ?? []).forEach((port, index) => {
      if (port.host === undefined) return;
      const key = `${port.host}/${port.protocol ?? 'tcp'}`;
      const mine: HostPort = { m, index, hostIp: port.hostIp };
      const taken = (seen.get(key) ?? []).find((other) => clash(other, mine));
      if (taken) {
        const owner =
          taken.m === m
            ? `spec.ports[${taken.index}]`
            : `Service "${taken.m.name}" (${where(taken.m, ['spec', 'ports', taken.index])})`;
        out.push(issueAt(m.src, ['spec', 'ports', index, 'host'], `host port ${key} is already used by ${owner}`));
      }
      seen.set(key, [...(seen.get(key) ?? []), mine]);
    });
  }
  return out;
}

/** Overlapping prefixes would make two Configs own (and prune) the same keys. */
function prefixIssues(configs: Valid<'Config'>[]): ManifestIssue[] {
  const out: ManifestIssue[] = [];
  configs.forEach((m, i) => {
    const prefix = specOf(m).prefix;
    const other = configs.slice(0, i).find((o) => {
      const p = specOf(o).prefix;
      return o.name !== m.name && (p.startsWith(prefix) || prefix.startsWith(p));
    });
    if (other) {
      const detail = `Config "${other.name}" (prefix ${specOf(other).prefix}, ${where(other, ['spec', 'prefix'])})`;
      out.push(issueAt(m.src, ['spec', 'prefix'], `prefix ${prefix} overlaps ${detail}`));
    }
  });
  return out;
}
