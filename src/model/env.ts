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
 * A secret Config is refused: the engine shows every variable to whoever can inspect the
 * container, so secrets reach containers as files only. Loading rejects such a repo with its
 * location; this guard keeps an older release recorded before that rule from running one.
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
    if (config.secret) throw secretEnvError(service.name, config.name);
    for (const [key, value] of Object.entries(config.data)) vars.set(from.prefix + envName(key), value);
  }
  for (const [key, value] of Object.entries(service.env)) vars.set(key, value);
  return Object.fromEntries([...vars].sort(([a], [b]) => compareStrings(a, b)));
}

export interface ResolvedFile {
  path: string;
  content: string;
  mode: number;
  /** set when the content comes from a secret Config: masked wherever a plan is shown or saved */
  secret?: true;
}

/** Said once, for the manifest check and the guard above alike. */
export const SECRET_ENV_ADVICE =
  'environment variables show in docker inspect; mount it with spec.files instead (many images read VAR_FILE)';

function secretEnvError(service: string, config: string): BosunError {
  return new BosunError(
    Codes.secretInEnv,
    `service "${service}" reads secret Config "${config}" through envFrom, which is refused: ${SECRET_ENV_ADVICE}`,
  );
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
      const file: ResolvedFile = { path, content: config.data[key] ?? '', mode: f.mode };
      files.set(path, config.secret ? { ...file, secret: true } : file);
    }
  }
  return [...files.values()].sort((a, b) => compareStrings(a.path, b.path));
}
