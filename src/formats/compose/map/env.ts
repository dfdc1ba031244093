/**
 * A service's environment: `env_file`s in order, then `environment`, as compose layers them.
 * A variable written without a value takes the controller's value only when the operator
 * allowed that variable (--env-allow); otherwise it is left out, as compose leaves out an
 * unset one. Env files are read from the repo at the ref, never from the controller's disk.
 */
import { sortedRecord } from '../../../model/sort.ts';
import type { ComposePath } from '../loaded.ts';
import { artifactKey, asList, asText, isObj, listOrDict, type MapContext, type Obj, report } from './context.ts';

/** `KEY=value` lines, `#` comments, optional `export `, one pair of matching quotes stripped. */
export function parseEnvFile(text: string): [string, string | null][] {
  const out: [string, string | null][] = [];
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim().replace(/^export\s+/, '');
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq < 0) {
      out.push([line, null]);
      continue;
    }
    let value = line.slice(eq + 1).trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length >= 2 && value.endsWith(q)) {
      value = value.slice(1, -1);
      if (q === '"') value = value.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
    } else value = value.replace(/\s+#.*$/, '');
    out.push([line.slice(0, eq).trim(), value]);
  }
  return out;
}

function readEnvFiles(ctx: MapContext, path: ComposePath, v: unknown): [string, string | null][] {
  return asList(v).flatMap((item, i) => {
    const entry: Obj = isObj(item) ? item : { path: item };
    const rel = asText(entry.path);
    const at = Array.isArray(v) ? [...path, i] : path;
    const key = artifactKey(ctx, rel);
    if (key === undefined) {
      report(
        ctx,
        at,
        `"${rel}" is outside the stack's folder: env files are read from the repo at the ref, below the folder bosun reads`,
      );
      return [];
    }
    const bytes = ctx.artifact.files.get(key);
    if (!bytes) {
      if (entry.required !== false) report(ctx, at, `"${rel}" is not in the repo at the ref`);
      return [];
    }
    return parseEnvFile(Buffer.from(bytes).toString('utf8'));
  });
}

export function mapEnvironment(ctx: MapContext, path: ComposePath, s: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  const pairs = [...readEnvFiles(ctx, [...path, 'env_file'], s.env_file), ...listOrDict(s.environment)];
  for (const [key, value] of pairs) {
    const v = value ?? (Object.hasOwn(ctx.hostEnv, key) ? ctx.hostEnv[key] : undefined);
    if (v === undefined) delete env[key];
    else env[key] = v;
  }
  return sortedRecord(env);
}
