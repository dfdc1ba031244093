/**
 * A service's environment as its containers get it: Config data through envFrom, then the
 * service's own env on top.
 */
import type { ConfigSpec, ServiceSpec } from '../model/desired.ts';
import { compareStrings } from './util.ts';

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
    if (!config) throw new Error(`service "${service.name}" reads Config "${from.config}", which is not in the desired state`);
    for (const [key, value] of Object.entries(config.data)) vars.set(from.prefix + envName(key), value);
  }
  for (const [key, value] of Object.entries(service.env)) vars.set(key, value);
  return Object.fromEntries([...vars].sort(([a], [b]) => compareStrings(a, b)));
}
