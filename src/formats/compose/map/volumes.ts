/**
 * A service's `volumes`: named volumes keep compose's engine names (so a running compose
 * stack's data is found), anonymous volumes and absolute host paths stay mounts, and relative
 * paths become copies of the repo at the ref — part of the spec hash, so a changed file in git
 * replaces exactly the services that mount it. `~` is refused: the controller's home is not
 * the home of whoever wrote the file.
 */
import { readRepoCopy } from '../../repo-copy.ts';
import type { MountSpec, RepoCopySpec, TmpfsSpec, VolumeSpec } from '../../../model/desired.ts';
import { sortedRecord } from '../../../model/sort.ts';
import type { ComposePath } from '../loaded.ts';
import { artifactKey, asText, isObj, listOrDict, type MapContext, type Obj, octalMode, report } from './context.ts';
import { composeBytes } from './units.ts';

export interface ServiceMounts {
  volumes: MountSpec[];
  copies: RepoCopySpec[];
  tmpfs: TmpfsSpec[];
}

interface Entry {
  type: string;
  source?: string;
  target: string;
  readOnly: boolean;
}

const READONLY_MODES = new Set(['ro', 'rw', 'z', 'Z', 'nocopy', 'cached', 'delegated', 'consistent']);

function shortEntry(ctx: MapContext, path: ComposePath, text: string): Entry | undefined {
  const parts = text.split(':');
  if (parts.length === 1) return { type: 'volume', target: text, readOnly: false };
  const [source = '', target = '', mode = ''] = parts;
  const modes = mode === '' ? [] : mode.split(',');
  const unknown = modes.find((m) => !READONLY_MODES.has(m));
  if (parts.length > 3 || unknown !== undefined) {
    report(ctx, path, `must be [source:]target[:mode] with mode ro or rw${unknown ? ` (not "${unknown}")` : ''}`);
    return undefined;
  }
  const isPath = /^(\.|~|\/)/.test(source);
  return { type: isPath ? 'bind' : 'volume', source, target, readOnly: modes.includes('ro') };
}

function longEntry(ctx: MapContext, path: ComposePath, e: Obj): Entry | undefined {
  const type = asText(e.type ?? 'volume');
  if (!['volume', 'bind', 'tmpfs'].includes(type)) {
    report(ctx, [...path, 'type'], `type "${type}" is not supported (volume, bind or tmpfs)`);
    return undefined;
  }
  for (const key of ['consistency'] as const)
    if (e[key] !== undefined) report(ctx, [...path, key], `${key} is not supported`);
  const source = e.source === undefined || e.source === null ? undefined : asText(e.source);
  return { type, ...(source ? { source } : {}), target: asText(e.target), readOnly: e.read_only === true };
}

/** The files of the repo under a relative path, carried in the spec (shared with bosun/v1's copies). */
function copyOf(ctx: MapContext, path: ComposePath, e: Entry): RepoCopySpec | undefined {
  const key = artifactKey(ctx, e.source!);
  if (key === undefined) {
    report(
      ctx,
      path,
      `"${e.source}" is outside the stack's folder: bosun copies files from the repo at the ref, only from below the folder it reads`,
    );
    return undefined;
  }
  const copy = readRepoCopy(ctx.artifact, { path: key, target: e.target, readOnly: e.readOnly });
  if (typeof copy !== 'string') return copy;
  report(ctx, path, `${copy}: a relative path is copied from git (compose would create an empty host folder)`);
  return undefined;
}

function place(ctx: MapContext, path: ComposePath, e: Entry, declared: Set<string>, out: ServiceMounts): void {
  const mount = mountOf(ctx, path, e, declared);
  if (mount === 'tmpfs') out.tmpfs.push({ target: e.target });
  else if (mount === 'copy') {
    const copy = copyOf(ctx, path, e);
    if (copy) out.copies.push(copy);
  } else if (mount) out.volumes.push(mount);
}

/** The mount an entry is, 'tmpfs' or 'copy' (a path of the repo), or undefined once reported. */
function mountOf(
  ctx: MapContext,
  path: ComposePath,
  e: Entry,
  declared: Set<string>,
): MountSpec | 'tmpfs' | 'copy' | undefined {
  const fail = (message: string) => {
    report(ctx, path, message);
    return undefined;
  };
  if (!e.target.startsWith('/')) return fail(`target "${e.target}" must be an absolute path`);
  if (e.type === 'tmpfs') return 'tmpfs';
  if (e.source === undefined || e.source === '') {
    return e.type === 'bind' ? fail('a bind mount needs a source') : { target: e.target, readOnly: e.readOnly };
  }
  if (e.type === 'volume') {
    if (!declared.has(e.source)) return fail(`volume "${e.source}" is not declared under the top-level volumes`);
    return { volume: e.source, target: e.target, readOnly: e.readOnly };
  }
  if (e.source.startsWith('~')) {
    return fail(
      `"${e.source}": a path in a home folder is refused (it would be the controller's home); write the absolute host path`,
    );
  }
  if (e.source.startsWith('/')) return { hostPath: e.source, target: e.target, readOnly: e.readOnly };
  return 'copy';
}

export function mapServiceVolumes(
  ctx: MapContext,
  path: ComposePath,
  list: unknown[],
  declared: Set<string>,
): ServiceMounts {
  const out: ServiceMounts = { volumes: [], copies: [], tmpfs: [] };
  list.forEach((item, i) => {
    const at = [...path, i];
    const entry = isObj(item) ? longEntry(ctx, at, item) : shortEntry(ctx, at, asText(item));
    if (!entry) return;
    if (isObj(item) && entry.type === 'tmpfs' && isObj(item.tmpfs)) {
      const size = item.tmpfs.size === undefined ? undefined : composeBytes(item.tmpfs.size);
      out.tmpfs.push({
        target: entry.target,
        ...(size === undefined ? {} : { sizeBytes: size }),
        ...modeOf(item.tmpfs.mode),
      });
      return;
    }
    place(ctx, at, entry, declared, out);
  });
  return out;
}

function modeOf(v: unknown): { mode?: number } {
  return v === undefined ? {} : { mode: octalMode(v) };
}

/** Top-level `volumes`: compose names each `<project>_<key>` unless `name:` or `external` says otherwise. */
export function mapVolumes(ctx: MapContext): VolumeSpec[] {
  const top = ctx.loaded.model.volumes ?? {};
  return Object.entries(top).map(([key, raw]) => {
    const v: Obj = raw ?? {};
    const external = v.external === true || isObj(v.external);
    const name = v.name === undefined ? undefined : asText(v.name);
    const spec: VolumeSpec = {
      name: key,
      driver: asText(v.driver ?? 'local'),
      labels: sortedRecord(Object.fromEntries(listOrDict(v.labels).map(([k, val]) => [k, val ?? '']))),
      engineName: name ?? (external ? key : `${ctx.loaded.project}_${key}`),
    };
    if (external) spec.external = true;
    if (v.driver_opts !== undefined) {
      spec.driverOpts = sortedRecord(Object.fromEntries(listOrDict(v.driver_opts).map(([k, val]) => [k, val ?? ''])));
    }
    return spec;
  });
}
