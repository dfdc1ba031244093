/**
 * `spec.options` → ContainerOptions. Every key the user left out stays absent, and an options
 * mapping that sets nothing is no options at all, so specs written before options existed keep
 * their hashes. Lists whose order carries no meaning are sorted; DNS lists keep their order
 * (the resolver tries them in turn).
 */
import { isScalar } from 'yaml';
import type { ContainerOptions } from '../../model/desired.ts';
import { compareStrings, sortedRecord, sortedUnique } from '../../model/sort.ts';
import { parseMemory } from '../units.ts';
import { nodeAt } from './locate.ts';
import type { RawOptions } from './raw.ts';
import type { SourceDoc } from './types.ts';

export function normalizeOptions(src: SourceDoc, raw: RawOptions | undefined): ContainerOptions | undefined {
  if (!raw) return undefined;
  const o: ContainerOptions = {};
  const copy = <K extends keyof ContainerOptions & keyof RawOptions>(key: K) => {
    if (raw[key] !== undefined) (o as Record<string, unknown>)[key] = raw[key];
  };
  for (const key of ['containerName', 'hostname', 'init', 'tty', 'stdinOpen', 'readOnlyRootfs'] as const) copy(key);
  for (const key of ['privileged', 'networkMode', 'platform'] as const) copy(key);
  if (raw.stopSignal !== undefined) o.stopSignal = signalName(raw.stopSignal);
  if (raw.capAdd) o.capAdd = capabilities(raw.capAdd);
  if (raw.capDrop) o.capDrop = capabilities(raw.capDrop);
  if (raw.sysctls) o.sysctls = asWritten(src, ['spec', 'options', 'sysctls'], raw.sysctls);
  if (raw.ulimits) o.ulimits = ulimits(raw.ulimits);
  if (raw.tmpfs) o.tmpfs = tmpfs(raw.tmpfs);
  if (raw.extraHosts) o.extraHosts = sortedUnique(raw.extraHosts);
  if (raw.dns) o.dns = [...raw.dns];
  if (raw.dnsSearch) o.dnsSearch = [...raw.dnsSearch];
  if (raw.dnsOptions) o.dnsOptions = [...raw.dnsOptions];
  if (raw.shmSize !== undefined) o.shmSizeBytes = parseMemory(raw.shmSize);
  if (raw.logging) o.logging = { driver: raw.logging.driver, options: sortedRecord(raw.logging.options ?? {}) };
  if (raw.devices) o.devices = devices(raw.devices);
  if (raw.expose) o.expose = expose(raw.expose);
  if (raw.networkOptions) o.networkOptions = networkOptions(raw.networkOptions);
  return Object.keys(o).length > 0 ? o : undefined;
}

/** `cap_net_admin` and `NET_ADMIN` are one capability: upper case without `CAP_`, sorted. */
export function capabilities(list: string[]): string[] {
  return sortedUnique(list.map((c) => c.toUpperCase().replace(/^CAP_/, '')));
}

/** `quit` / `SIGQUIT` → `SIGQUIT`; numbers stay numbers. */
function signalName(s: string): string {
  if (/^[0-9]+$/.test(s)) return s;
  const upper = s.toUpperCase();
  return upper.startsWith('SIG') ? upper : `SIG${upper}`;
}

/** Numbers and booleans become the text the user wrote (`0.10` stays "0.10"), as env values do. */
function asWritten(
  src: SourceDoc,
  at: string[],
  values: Record<string, string | number | boolean>,
): Record<string, string> {
  const text = (key: string, value: string | number | boolean): string => {
    if (typeof value === 'string') return value;
    const node = nodeAt(src, [...at, key]);
    return isScalar(node) && typeof node.source === 'string' && node.source !== '' ? node.source : String(value);
  };
  return sortedRecord(Object.fromEntries(Object.entries(values).map(([k, v]) => [k, text(k, v)])));
}

function ulimits(raw: NonNullable<RawOptions['ulimits']>): ContainerOptions['ulimits'] {
  const entries = Object.entries(raw).map(([name, v]) => [name, typeof v === 'number' ? { soft: v, hard: v } : v]);
  return sortedRecord(Object.fromEntries(entries));
}

function tmpfs(raw: NonNullable<RawOptions['tmpfs']>): ContainerOptions['tmpfs'] {
  const specs = raw.map((t) => ({
    target: t.target,
    ...(t.size === undefined ? {} : { sizeBytes: parseMemory(t.size) }),
    ...(t.mode === undefined ? {} : { mode: t.mode }),
  }));
  return [...new Map(specs.map((t) => [t.target, t])).values()].sort((a, b) => compareStrings(a.target, b.target));
}

function devices(raw: NonNullable<RawOptions['devices']>): ContainerOptions['devices'] {
  const specs = raw.map((d) => ({
    host: d.host,
    container: d.container ?? d.host,
    permissions: d.permissions ?? 'rwm',
  }));
  return [...new Map(specs.map((d) => [d.container, d])).values()].sort((a, b) =>
    compareStrings(a.container, b.container),
  );
}

function expose(raw: NonNullable<RawOptions['expose']>): ContainerOptions['expose'] {
  const specs = raw.map((e) => ({ port: e.port, protocol: e.protocol ?? ('tcp' as const) }));
  const unique = [...new Map(specs.map((e) => [`${e.port}/${e.protocol}`, e])).values()];
  return unique.sort((a, b) => a.port - b.port || compareStrings(a.protocol, b.protocol));
}

function networkOptions(raw: NonNullable<RawOptions['networkOptions']>): ContainerOptions['networkOptions'] {
  const entries = Object.entries(raw).map(([net, v]) => {
    const opts: { aliases?: string[]; ipv4Address?: string } = {};
    if (v.aliases?.length) opts.aliases = sortedUnique(v.aliases);
    if (v.ipv4Address !== undefined) opts.ipv4Address = v.ipv4Address;
    return [net, opts] as const;
  });
  return sortedRecord(Object.fromEntries(entries.filter(([, v]) => Object.keys(v).length > 0)));
}
