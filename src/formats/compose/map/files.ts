/**
 * Top-level `configs` and `secrets` (from `file:`, `content:` or `environment:`) become bosun
 * Configs, one key each, and a service's `configs` / `secrets` become files in its containers
 * at compose's targets: `/run/secrets/<name>` and `/<name>` unless `target:` says otherwise.
 */
import type { ConfigSpec, FileSpec } from '../../../model/desired.ts';
import type { ComposePath } from '../loaded.ts';
import { artifactKey, asText, octalMode, isObj, type MapContext, type Obj, report } from './context.ts';

export type FileKind = 'configs' | 'secrets';

/**
 * The bosun Config holding a compose config or secret: one namespace for both in bosun, and
 * spelled as bosun/v1 names are (`db_password` → `secret-db-password`) so `convert` keeps it.
 */
export function configName(kind: FileKind, name: string): string {
  return `${kind === 'secrets' ? 'secret' : 'config'}-${name.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`;
}

/** The single key of such a Config. */
export const CONTENT_KEY = 'content';

function contentOf(ctx: MapContext, path: ComposePath, def: Obj): string | undefined {
  if (def.external === true || isObj(def.external)) {
    report(
      ctx,
      [...path, 'external'],
      'external configs and secrets are not supported: put the value in a bosun Config or Secret',
    );
    return undefined;
  }
  if (def.content !== undefined) return asText(def.content);
  if (def.environment !== undefined) {
    const name = asText(def.environment);
    if (Object.hasOwn(ctx.hostEnv, name)) return ctx.hostEnv[name];
    report(
      ctx,
      [...path, 'environment'],
      `variable ${name} is not in the allowed host environment (allow it with --env-allow ${name})`,
    );
    return undefined;
  }
  if (def.file !== undefined) {
    const rel = asText(def.file);
    const key = artifactKey(ctx, rel);
    const bytes = key === undefined ? undefined : ctx.artifact.files.get(key);
    if (!bytes) {
      const why = key === undefined ? "is outside the stack's folder" : 'is not in the repo at the ref';
      report(ctx, [...path, 'file'], `"${rel}" ${why}`);
      return undefined;
    }
    return Buffer.from(bytes).toString('utf8');
  }
  report(ctx, path, 'needs file, content or environment');
  return undefined;
}

export function mapFileDefinitions(ctx: MapContext, kind: FileKind, used: Set<string>): ConfigSpec[] {
  const top = (ctx.loaded.model[kind] ?? {}) as Record<string, Obj>;
  const seen = new Map<string, string>();
  for (const name of Object.keys(top)) {
    const other = seen.get(configName(kind, name));
    if (other !== undefined) report(ctx, [kind, name], `reads as the same bosun Config as "${other}": rename one`);
    seen.set(configName(kind, name), name);
  }
  return Object.entries(top)
    .filter(([name]) => used.has(name))
    .flatMap(([name, def]) => {
      const content = contentOf(ctx, [kind, name], def ?? {});
      if (content === undefined) return [];
      return [
        {
          name: configName(kind, name),
          prefix: `/compose/${ctx.loaded.project}/${kind}/${name}/`,
          data: { [CONTENT_KEY]: content },
          secret: kind === 'secrets',
        },
      ];
    });
}

export function mapServiceFiles(ctx: MapContext, path: ComposePath, kind: FileKind, list: unknown[]): FileSpec[] {
  const declared = ctx.loaded.model[kind] ?? {};
  return list.flatMap((item, i) => {
    const at = [...path, i];
    const ref: Obj = isObj(item) ? item : { source: item };
    const source = asText(ref.source);
    if (!Object.hasOwn(declared, source)) {
      report(ctx, at, `${kind.slice(0, -1)} "${source}" is not declared under the top-level ${kind}`);
      return [];
    }
    for (const key of ['uid', 'gid']) if (ref[key] !== undefined) report(ctx, [...at, key], `${key} is not supported`);
    const given = ref.target === undefined ? undefined : asText(ref.target);
    const target =
      kind === 'secrets'
        ? given?.startsWith('/')
          ? given
          : `/run/secrets/${given ?? source}`
        : (given ?? `/${source}`);
    const mode = ref.mode === undefined ? 0o444 : octalMode(ref.mode);
    return [{ config: configName(kind, source), key: CONTENT_KEY, target, mode }];
  });
}
