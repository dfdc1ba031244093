/**
 * The engine options of one service (ContainerOptions): each set only when the file sets it,
 * so a stack using none of them has no `options` at all.
 */
import type { ContainerOptions, DeviceSpec, TmpfsSpec } from '../../../model/desired.ts';
import { compareStrings, sortedRecord, sortedUnique } from '../../../model/sort.ts';
import type { ComposePath } from '../loaded.ts';
import { asList, asText, isObj, listOrDict, type MapContext, type Obj, report } from './context.ts';
import { composeBytes } from './units.ts';

const FLAGS = [
  ['init', 'init'],
  ['tty', 'tty'],
  ['stdin_open', 'stdinOpen'],
  ['read_only', 'readOnlyRootfs'],
  ['privileged', 'privileged'],
] as const;

const TEXTS = [
  ['hostname', 'hostname'],
  ['stop_signal', 'stopSignal'],
  ['platform', 'platform'],
] as const;

function caps(v: unknown): string[] {
  return sortedUnique(asList(v).map((c) => asText(c).toUpperCase().replace(/^CAP_/, '')));
}

function ulimitsOf(ctx: MapContext, path: ComposePath, v: Obj): ContainerOptions['ulimits'] {
  const out: NonNullable<ContainerOptions['ulimits']> = {};
  for (const [name, raw] of Object.entries(v)) {
    if (typeof raw === 'number') out[name] = { soft: raw, hard: raw };
    else if (isObj(raw) && typeof raw.soft === 'number' && typeof raw.hard === 'number')
      out[name] = { soft: raw.soft, hard: raw.hard };
    else report(ctx, [...path, name], 'must be a number or soft and hard numbers');
  }
  return sortedRecord(out);
}

/** `/run` or `/run:size=64m,mode=1777` */
function tmpfsOf(ctx: MapContext, path: ComposePath, v: unknown): TmpfsSpec[] {
  return asList(v).flatMap((item, i) => {
    const [target = '', opts = ''] = asText(item).split(':');
    const spec: TmpfsSpec = { target };
    for (const opt of opts === '' ? [] : opts.split(',')) {
      const [k, val = ''] = opt.split('=');
      if (k === 'size' && composeBytes(val) !== undefined) spec.sizeBytes = composeBytes(val);
      else if (k === 'mode' && /^[0-7]+$/.test(val)) spec.mode = Number.parseInt(val, 8);
      else
        report(
          ctx,
          Array.isArray(v) ? [...path, i] : path,
          `tmpfs option "${opt}" is not supported (size and mode are)`,
        );
    }
    return [spec];
  });
}

function devicesOf(ctx: MapContext, path: ComposePath, v: unknown): DeviceSpec[] {
  return asList(v).map((item, i) => {
    if (isObj(item)) {
      const host = asText(item.source);
      return { host, container: asText(item.target ?? host), permissions: asText(item.permissions ?? 'rwm') };
    }
    const [host = '', container = host, permissions = 'rwm'] = asText(item).split(':');
    if (!host.startsWith('/')) report(ctx, [...path, i], 'must be /dev/host[:/dev/container[:permissions]]');
    return { host, container, permissions };
  });
}

function extraHostsOf(v: unknown): string[] {
  const pairs = isObj(v)
    ? listOrDict(v)
    : asList(v).map((e) => asText(e).replace('=', ':').split(/:(.*)/s).slice(0, 2));
  return pairs.map(([name, ip]) => `${name}:${ip ?? ''}`).sort(compareStrings);
}

/**
 * Where the options the host policy judges were written, as `locations` fields (`privileged`,
 * `networkMode`, `capAdd:<CAP>`, `device:<host path>`) → compose path below the service.
 */
export function powerPaths(s: Obj): [string, ComposePath][] {
  const out: [string, ComposePath][] = [];
  if (s.privileged !== undefined) out.push(['privileged', ['privileged']]);
  if (s.network_mode !== undefined) out.push(['networkMode', ['network_mode']]);
  // backwards, so a capability written twice is located where it was first written
  const added = asList(s.cap_add);
  for (let i = added.length - 1; i >= 0; i--) out.push([`capAdd:${caps([added[i]])[0]}`, ['cap_add', i]]);
  asList(s.devices).forEach((d, i) => {
    const host = isObj(d) ? asText(d.source) : (asText(d).split(':')[0] ?? '');
    out.push([`device:${host}`, ['devices', i]]);
  });
  return out;
}

export function mapOptions(ctx: MapContext, path: ComposePath, s: Obj): ContainerOptions {
  const o: ContainerOptions = {};
  for (const [key, field] of FLAGS) if (s[key] !== undefined) o[field] = s[key] === true;
  for (const [key, field] of TEXTS) if (s[key] !== undefined) o[field] = asText(s[key]);
  if (s.cap_add !== undefined) o.capAdd = caps(s.cap_add);
  if (s.cap_drop !== undefined) o.capDrop = caps(s.cap_drop);
  if (s.sysctls !== undefined)
    o.sysctls = sortedRecord(Object.fromEntries(listOrDict(s.sysctls).map(([k, v]) => [k, v ?? ''])));
  if (isObj(s.ulimits)) o.ulimits = ulimitsOf(ctx, [...path, 'ulimits'], s.ulimits);
  if (s.tmpfs !== undefined) o.tmpfs = tmpfsOf(ctx, [...path, 'tmpfs'], s.tmpfs);
  if (s.extra_hosts !== undefined) o.extraHosts = extraHostsOf(s.extra_hosts);
  if (s.dns !== undefined) o.dns = asList(s.dns).map(asText);
  if (s.dns_search !== undefined) o.dnsSearch = asList(s.dns_search).map(asText);
  if (s.dns_opt !== undefined) o.dnsOptions = asList(s.dns_opt).map(asText);
  if (s.shm_size !== undefined) {
    const bytes = composeBytes(s.shm_size);
    if (bytes === undefined) report(ctx, [...path, 'shm_size'], 'must be bytes or a quantity like 64m');
    else o.shmSizeBytes = bytes;
  }
  if (isObj(s.logging)) {
    const options = Object.fromEntries(listOrDict(s.logging.options).map(([k, v]) => [k, v ?? '']));
    o.logging = { driver: asText(s.logging.driver ?? 'json-file'), options: sortedRecord(options) };
  }
  if (s.devices !== undefined) o.devices = devicesOf(ctx, [...path, 'devices'], s.devices);
  return o;
}
