/**
 * A service's environment as its containers get it: Config data through envFrom, then the
 * service's own env on top.
 */
import { BosunError, Codes } from '../errors.ts';
import type { ConfigSpec, ServiceSpec } from './desired.ts';
import { compareStrings } from './sort.ts';

/** Config keys may hold `.` and `-`, which shells cannot use in variable names. */
export function envName(key: string): string {
  return key.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * For each envFrom entry in order, `prefix + envName(key)` → value (later entries win), then
 * `service.env` overrides. Keys sorted. A Config missing from `configs` is a bug in the
 * caller (loading rejects such a repo), so it throws rather than silently dropping variables.
 */
export function resolveEnv(service: ServiceSpec, configs: ConfigSpec[]): Record<string, string> {
  const byName = new Map(configs.map((c) => [c.name, c]));
  const vars = new Map<string, string>();
  for (const from of service.envFrom) {
    const config = byName.get(from.config);
    if (!config)
      throw new BosunError(
        Codes.internal,
        `service "${service.name}" reads Config "${from.config}", which is not in the desired state`,
      );
    for (const [key, value] of Object.entries(config.data)) vars.set(from.prefix + envName(key), value);
  }
  for (const [key, value] of Object.entries(service.env)) vars.set(key, value);
  return Object.fromEntries([...vars].sort(([a], [b]) => compareStrings(a, b)));
}

export interface ResolvedFile {
  path: string;
  content: string;
  mode: number;
}

/** The files a service's containers get from Configs, sorted by path. */
export function resolveFiles(service: ServiceSpec, configs: ConfigSpec[]): ResolvedFile[] {
  const byName = new Map(configs.map((c) => [c.name, c]));
  const files = new Map<string, ResolvedFile>();
  for (const f of service.files ?? []) {
    const config = byName.get(f.config);
    if (!config)
      throw new BosunError(
        Codes.internal,
        `service "${service.name}" reads Config "${f.config}", which is not in the desired state`,
      );
    const keys = f.key === undefined ? Object.keys(config.data) : [f.key];
    for (const key of keys) {
      const path = f.key === undefined ? `${f.target.replace(/\/+$/, '')}/${key}` : f.target;
      files.set(path, { path, content: config.data[key] ?? '', mode: f.mode });
    }
  }
  return [...files.values()].sort((a, b) => compareStrings(a.path, b.path));
}
