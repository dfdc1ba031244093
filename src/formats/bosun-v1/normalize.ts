/**
 * All schema-valid, cross-checked manifests → DesiredState. Runs only when there is no issue
 * left, so it may trust every reference.
 */
import {
  DEFAULT_UPDATE,
  type ConfigSpec,
  type DesiredState,
  type NetworkSpec,
  type ProjectSpec,
  type SealedValue,
  type SourceLocation,
  type VolumeSpec,
} from '../../model/desired.ts';
import { canonicalJson } from '../../model/hash.ts';
import { fieldLocations } from './field-locations.ts';
import { positionOf } from './locate.ts';
import { mergeUpdate, normalizeService } from './normalize-service.ts';
import { specOf } from './raw.ts';
import type { RepoContentByService } from './repo-content.ts';
import type { SealedByConfig } from './sealed.ts';
import { validOfKind, type Manifest, type Valid } from './types.ts';
import { byName, sortedRecord, sortedUnique } from '../../model/sort.ts';

export const DEFAULT_NETWORK: NetworkSpec = { name: 'default', driver: 'bridge', internal: false, labels: {} };

export function buildDesiredState(
  manifests: Manifest[],
  projectName: string,
  sealed: SealedByConfig = new Map(),
  repo: RepoContentByService = new Map(),
): DesiredState {
  const project = normalizeProject(validOfKind(manifests, 'Project')[0], projectName);
  const services = validOfKind(manifests, 'Service').map((m) =>
    normalizeService(m, project.update, projectName, repo.get(m)),
  );
  const networks = validOfKind(manifests, 'Network').map(normalizeNetwork);
  if (services.some((s) => s.networks.includes('default')) && !networks.some((n) => n.name === 'default')) {
    networks.push({ ...DEFAULT_NETWORK, labels: {} });
  }
  return {
    project,
    services: services.sort(byName),
    configs: validOfKind(manifests, 'Config')
      .map((m) => normalizeConfig(m, sealed.get(m)))
      .sort(byName),
    networks: networks.sort(byName),
    volumes: validOfKind(manifests, 'Volume').map(normalizeVolume).sort(byName),
    locations: locationsOf(manifests),
  };
}

function normalizeProject(m: Valid<'Project'> | undefined, name: string): ProjectSpec {
  const spec = m ? specOf(m) : {};
  return {
    name,
    paths: sortedUnique((spec.paths ?? []).map(normalizeRelPath)),
    prune: spec.prune ?? true,
    update: mergeUpdate(spec.update, DEFAULT_UPDATE),
    // absent unless set: --history-limit and the default apply then (release/retention.ts)
    ...(spec.historyLimit === undefined ? {} : { historyLimit: spec.historyLimit }),
    // absent unless true, so desired states recorded before the guard compare equal
    ...(spec.allowEmpty === true ? { allowEmpty: true } : {}),
  };
}

/** `./services/` → `services`; `.` → `` (the whole manifests folder). */
export function normalizeRelPath(p: string): string {
  return p
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .join('/');
}

/**
 * Strings are stored as written; anything else as JSON with sorted keys, so reordering a
 * mapping in the repo does not rewrite the key or replace the services that read it. Sealed
 * values stay out of `data` until they are resolved, and make the Config secret.
 */
function normalizeConfig(m: Valid<'Config'>, sealed: Record<string, SealedValue> = {}): ConfigSpec {
  const spec = specOf(m);
  const data = Object.entries(spec.data ?? {})
    .filter(([key]) => !Object.hasOwn(sealed, key))
    .map(([key, value]) => [key, typeof value === 'string' ? value : canonicalJson(value)]);
  const isSealed = Object.keys(sealed).length > 0;
  return {
    name: m.name,
    prefix: spec.prefix,
    data: sortedRecord(Object.fromEntries(data)),
    secret: isSealed || (spec.secret ?? false),
    ...(spec.adopt === true ? { adopt: true } : {}),
    ...(isSealed ? { sealed: sortedRecord(sealed) } : {}),
  };
}

/**
 * The fields added for compose (engineName, external, ipam, attachable) stay absent unless set,
 * so older specs compare equal. An external one without engineName is named as written: it is
 * not the project's, so it carries no project prefix.
 */
function normalizeNetwork(m: Valid<'Network'>): NetworkSpec {
  const spec = specOf(m);
  const labels = sortedRecord(spec.labels ?? {});
  const out: NetworkSpec = { name: m.name, driver: spec.driver ?? 'bridge', internal: spec.internal ?? false, labels };
  Object.assign(out, fixedName(m.name, spec));
  if (spec.ipam?.length) out.ipam = spec.ipam.map((p) => sortedRecord({ ...p }));
  if (spec.attachable === true) out.attachable = true;
  return out;
}

function normalizeVolume(m: Valid<'Volume'>): VolumeSpec {
  const spec = specOf(m);
  const out: VolumeSpec = { name: m.name, driver: spec.driver ?? 'local', labels: sortedRecord(spec.labels ?? {}) };
  Object.assign(out, fixedName(m.name, spec));
  if (spec.driverOpts && Object.keys(spec.driverOpts).length > 0) out.driverOpts = sortedRecord(spec.driverOpts);
  return out;
}

function fixedName(name: string, spec: { engineName?: string; external?: boolean }) {
  const engineName = spec.engineName ?? (spec.external === true ? name : undefined);
  return {
    ...(engineName === undefined ? {} : { engineName }),
    ...(spec.external === true ? { external: true as const } : {}),
  };
}

/** `Kind/name` → where the document starts (its first key), plus the fields the host policy judges. */
function locationsOf(manifests: Manifest[]): Record<string, SourceLocation> {
  const entries = manifests
    .filter((m) => m.name !== undefined)
    .map((m) => [`${m.kind}/${m.name}`, { file: m.src.file, ...positionOf(m.src, []) }] as const);
  return sortedRecord({ ...Object.fromEntries(entries), ...fieldLocations(manifests) });
}
