/**
 * `build:` → BuildSpec. The context is a folder of the repo at the ref (never a URL or the
 * controller's disk); its identity (files after .dockerignore, dockerfile, target, args) is
 * known without building and names the image `<project>-<service>:<first 12>` unless `image:`
 * gives the tag.
 */
import { buildIdentity, builtImageTag, filesUnder, pathsUnder } from '../../build-identity.ts';
import type { BuildSpec } from '../../../model/desired.ts';
import { sortedRecord } from '../../../model/sort.ts';
import type { ComposePath } from '../loaded.ts';
import { artifactKey, asText, isObj, listOrDict, type MapContext, type Obj, report, repoPath } from './context.ts';

const SUPPORTED = new Set(['context', 'dockerfile', 'args', 'target']);

export interface MappedBuild {
  build: BuildSpec;
  /** the tag built when the service names no image */
  tag: string;
}

function argsOf(ctx: MapContext, v: unknown): Record<string, string> {
  const args: Record<string, string> = {};
  for (const [k, val] of listOrDict(v)) {
    const value = val ?? (Object.hasOwn(ctx.hostEnv, k) ? ctx.hostEnv[k] : undefined);
    if (value !== undefined) args[k] = value;
  }
  return sortedRecord(args);
}

export function mapBuild(ctx: MapContext, path: ComposePath, service: string, raw: unknown): MappedBuild | undefined {
  const b: Obj = isObj(raw) ? raw : { context: raw };
  for (const key of Object.keys(b)) {
    if (!SUPPORTED.has(key))
      report(ctx, [...path, key], `build.${key} is not supported (context, dockerfile, args and target are)`);
  }
  const ctxText = asText(b.context ?? '.');
  if (/^[a-z]+:\/\//i.test(ctxText) || ctxText.startsWith('git@') || ctxText.startsWith('/')) {
    report(
      ctx,
      isObj(raw) ? [...path, 'context'] : path,
      'the build context must be a folder of the repo, relative to the stack',
    );
    return undefined;
  }
  const key = artifactKey(ctx, ctxText);
  if (key === undefined) {
    report(ctx, isObj(raw) ? [...path, 'context'] : path, `"${ctxText}" is outside the stack's folder`);
    return undefined;
  }
  const dockerfile = asText(b.dockerfile ?? 'Dockerfile').replace(/^\.\//, '');
  const prefix = key === '' ? '' : `${key}/`;
  if (!ctx.artifact.files.has(`${prefix}${dockerfile}`)) {
    report(
      ctx,
      isObj(raw) ? [...path, 'dockerfile'] : path,
      `${dockerfile} is not in the build context "${ctxText}" at the ref`,
    );
    return undefined;
  }
  const args = argsOf(ctx, b.args);
  const target = b.target === undefined ? undefined : asText(b.target);
  const identity = buildIdentity({
    files: filesUnder(ctx.artifact.files, key),
    executables: pathsUnder(ctx.artifact.executables ?? [], key),
    dockerfile,
    ...(target ? { target } : {}),
    args,
  });
  const build: BuildSpec = { context: repoPath(ctx, key), dockerfile, ...(target ? { target } : {}), args, identity };
  return { build, tag: builtImageTag(ctx.loaded.project, service, identity) };
}
