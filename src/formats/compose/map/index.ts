/**
 * A loaded compose stack → DesiredState. Every problem is collected (located at compose's
 * path) and thrown together, so one `bosun validate` names them all.
 */
import { ManifestError } from '../../../errors.ts';
import {
  DEFAULT_UPDATE,
  type DesiredState,
  fieldKey,
  type ServiceSpec,
  type SourceLocation,
} from '../../../model/desired.ts';
import { byName, sortedRecord, sortedUnique } from '../../../model/sort.ts';
import type { Artifact } from '../../../ports.ts';
import type { LoadedCompose } from '../loaded.ts';
import { asList, asText, formatComposePath, isObj, type MapContext, type Obj, report } from './context.ts';
import { crossChecks } from './checks.ts';
import { configName, type FileKind, mapFileDefinitions } from './files.ts';
import { mapNetworks } from './networks.ts';
import { powerPaths } from './options.ts';
import { mapService } from './service.ts';
import { mapVolumes } from './volumes.ts';

export interface MapOptions {
  /** controller-host variables the operator allowed */
  hostEnv?: Record<string, string>;
}

const CONDITIONS = new Set(['service_started', 'service_healthy']);

/**
 * bosun starts a service after the ones it depends on are ready — healthy when they have a
 * healthcheck, running otherwise — which is service_healthy or service_started as compose means them.
 */
function dependsOn(ctx: MapContext, spec: ServiceSpec, raw: Obj, all: Map<string, ServiceSpec>): string[] {
  const path = ['services', spec.name, 'depends_on'];
  const entries: [string, Obj][] = isObj(raw.depends_on)
    ? Object.entries(raw.depends_on).map(([k, v]) => [k, isObj(v) ? v : {}])
    : asList(raw.depends_on).map((d) => [asText(d), {}]);
  const out: string[] = [];
  for (const [dep, opts] of entries) {
    const at = [...path, dep];
    const target = all.get(dep);
    if (!target) {
      if (opts.required !== false) report(ctx, at, `service "${dep}" is not defined (or not in an active profile)`);
      continue;
    }
    const cond = asText(opts.condition ?? 'service_started');
    if (!CONDITIONS.has(cond)) {
      report(ctx, [...at, 'condition'], `${cond} is not supported (service_started or service_healthy)`);
    } else if (cond === 'service_healthy' && !target.healthcheck) {
      report(ctx, [...at, 'condition'], `service_healthy needs a healthcheck on "${dep}"`);
    }
    if (opts.restart === true) report(ctx, [...at, 'restart'], 'restart is not supported');
    out.push(dep);
  }
  return sortedUnique(out);
}

function usedFiles(services: Record<string, Obj>, kind: FileKind): Set<string> {
  return new Set(Object.values(services).flatMap((s) => asList(s[kind]).map((r) => asText(isObj(r) ? r.source : r))));
}

function locationsOf(ctx: MapContext, state: Omit<DesiredState, 'locations'>): Record<string, SourceLocation> {
  const out: Record<string, SourceLocation> = {};
  const at = (path: (string | number)[]) => ({ ...ctx.loaded.locate(path), path: formatComposePath(path) });
  const raw = ctx.loaded.model.services;
  for (const s of state.services) {
    const r = raw[s.name] ?? {};
    out[`Service/${s.name}`] = at(['services', s.name]);
    out[fieldKey('Service', s.name, 'image')] = at(['services', s.name, r.image === undefined ? 'build' : 'image']);
    out[fieldKey('Service', s.name, 'replicas')] = at([
      'services',
      s.name,
      ...(r.scale !== undefined ? ['scale'] : []),
    ]);
    out[fieldKey('Service', s.name, 'memory')] = at(['services', s.name]);
    asList(r.volumes).forEach((v, i) => {
      const target = isObj(v) ? asText(v.target) : asText(v).split(':')[1];
      const mount = s.volumes.find((m) => m.target === target && m.hostPath !== undefined);
      if (mount) out[fieldKey('Service', s.name, `mount:${mount.target}`)] = at(['services', s.name, 'volumes', i]);
    });
    for (const [field, path] of powerPaths(r))
      out[fieldKey('Service', s.name, field)] = at(['services', s.name, ...path]);
  }
  for (const n of state.networks) out[`Network/${n.name}`] = at(['networks', n.name]);
  for (const v of state.volumes) out[`Volume/${v.name}`] = at(['volumes', v.name]);
  for (const kind of ['configs', 'secrets'] as const) {
    for (const key of Object.keys(ctx.loaded.model[kind] ?? {})) {
      const name = configName(kind, key);
      if (state.configs.some((c) => c.name === name)) out[`Config/${name}`] = at([kind, key]);
    }
  }
  out[`Project/${state.project.name}`] = at([]);
  return sortedRecord(out);
}

export function mapCompose(loaded: LoadedCompose, artifact: Artifact, opts: MapOptions = {}): DesiredState {
  const ctx: MapContext = { loaded, artifact, hostEnv: opts.hostEnv ?? {}, issues: [] };
  const raw = loaded.model.services ?? {};
  const volumes = new Set(Object.keys(loaded.model.volumes ?? {}));
  const networks = new Set(Object.keys(loaded.model.networks ?? {}));
  const services = Object.entries(raw).map(([name, s]) => mapService(ctx, { name, raw: s ?? {}, volumes, networks }));
  const byService = new Map(services.map((s) => [s.name, s]));
  for (const s of services) s.dependsOn = dependsOn(ctx, s, raw[s.name] ?? {}, byService);
  crossChecks(ctx, services);
  const used = new Set(services.flatMap((s) => s.networks));
  const state = {
    project: { name: loaded.project, paths: [], prune: true, update: { ...DEFAULT_UPDATE } },
    services: services.sort(byName),
    configs: [
      ...mapFileDefinitions(ctx, 'configs', usedFiles(raw, 'configs')),
      ...mapFileDefinitions(ctx, 'secrets', usedFiles(raw, 'secrets')),
    ].sort(byName),
    networks: mapNetworks(ctx, used).sort(byName),
    volumes: mapVolumes(ctx).sort(byName),
  };
  if (ctx.issues.length > 0) throw new ManifestError(sortIssues(ctx.issues));
  return { ...state, locations: locationsOf(ctx, state) };
}

function sortIssues<T extends { file: string; line: number; col: number }>(issues: T[]): T[] {
  return [...issues].sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line || a.col - b.col));
}
