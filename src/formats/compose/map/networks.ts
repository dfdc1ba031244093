/**
 * Top-level `networks` and a service's `networks` / `network_mode`. Every service without
 * either is on `default`, which compose names `<project>_default`; names follow compose so
 * a stack taken over from `docker compose up` keeps its networks' names.
 */
import type { ContainerOptions, NetworkSpec } from '../../../model/desired.ts';
import { sortedRecord, sortedUnique } from '../../../model/sort.ts';
import type { ComposePath } from '../loaded.ts';
import { asList, asText, isObj, listOrDict, type MapContext, type Obj, report } from './context.ts';

export interface ServiceNetworks {
  networks: string[];
  networkMode?: ContainerOptions['networkMode'];
  networkOptions?: ContainerOptions['networkOptions'];
}

const MODES = new Set(['host', 'none', 'bridge']);

export function mapServiceNetworks(ctx: MapContext, path: ComposePath, s: Obj, declared: Set<string>): ServiceNetworks {
  if (s.network_mode !== undefined) {
    const mode = asText(s.network_mode);
    if (!MODES.has(mode)) {
      report(
        ctx,
        [...path, 'network_mode'],
        `"${mode}" is not supported (host, none or bridge); put both services on one network instead`,
      );
      return { networks: [] };
    }
    if (s.networks !== undefined) report(ctx, [...path, 'networks'], 'cannot be used with network_mode');
    return { networks: [], networkMode: mode as ServiceNetworks['networkMode'] };
  }
  if (s.networks === undefined) return { networks: ['default'] };
  const entries: [string, unknown][] = isObj(s.networks)
    ? Object.entries(s.networks)
    : asList(s.networks).map((n) => [asText(n), null]);
  const options: NonNullable<ServiceNetworks['networkOptions']> = {};
  for (const [name, raw] of entries) {
    const at = [...path, 'networks', name];
    if (!declared.has(name) && name !== 'default')
      report(ctx, at, `network "${name}" is not declared under the top-level networks`);
    if (!isObj(raw)) continue;
    for (const key of ['ipv6_address', 'link_local_ips', 'priority', 'mac_address', 'driver_opts']) {
      if (raw[key] !== undefined) report(ctx, [...at, key], `${key} is not supported`);
    }
    const aliases = raw.aliases === undefined ? undefined : sortedUnique(asList(raw.aliases).map(asText));
    const ip = raw.ipv4_address === undefined ? undefined : asText(raw.ipv4_address);
    if (aliases?.length || ip)
      options[name] = { ...(aliases?.length ? { aliases } : {}), ...(ip ? { ipv4Address: ip } : {}) };
  }
  const out: ServiceNetworks = { networks: sortedUnique(entries.map(([n]) => n)) };
  if (Object.keys(options).length > 0) out.networkOptions = sortedRecord(options);
  return out;
}

function ipamOf(ctx: MapContext, path: ComposePath, ipam: Obj): NetworkSpec['ipam'] {
  if (ipam.driver !== undefined && ipam.driver !== 'default')
    report(ctx, [...path, 'driver'], 'only the default IPAM driver is supported');
  if (ipam.options !== undefined) report(ctx, [...path, 'options'], 'IPAM options are not supported');
  return asList(ipam.config).map((c, i) => {
    const conf: Obj = isObj(c) ? c : {};
    if (conf.aux_addresses !== undefined)
      report(ctx, [...path, 'config', i, 'aux_addresses'], 'aux_addresses is not supported');
    return {
      ...(conf.subnet === undefined ? {} : { subnet: asText(conf.subnet) }),
      ...(conf.gateway === undefined ? {} : { gateway: asText(conf.gateway) }),
      ...(conf.ip_range === undefined ? {} : { ipRange: asText(conf.ip_range) }),
    };
  });
}

function networkOf(ctx: MapContext, key: string, n: Obj): NetworkSpec {
  const path = ['networks', key];
  for (const k of ['driver_opts', 'enable_ipv6']) {
    if (n[k] !== undefined && n[k] !== false) report(ctx, [...path, k], `${k} is not supported`);
  }
  const external = n.external === true || isObj(n.external);
  const name = n.name === undefined ? undefined : asText(n.name);
  const spec: NetworkSpec = {
    name: key,
    driver: asText(n.driver ?? 'bridge'),
    internal: n.internal === true,
    labels: sortedRecord(Object.fromEntries(listOrDict(n.labels).map(([k, v]) => [k, v ?? '']))),
    engineName: name ?? (external ? key : `${ctx.loaded.project}_${key}`),
  };
  if (external) spec.external = true;
  if (isObj(n.ipam)) spec.ipam = ipamOf(ctx, [...path, 'ipam'], n.ipam);
  if (n.attachable === true) spec.attachable = true;
  return spec;
}

/** The declared networks, plus `default` when a service is on it and the file does not declare it. */
export function mapNetworks(ctx: MapContext, used: Set<string>): NetworkSpec[] {
  const top = ctx.loaded.model.networks ?? {};
  const specs = Object.entries(top).map(([key, raw]) => networkOf(ctx, key, raw ?? {}));
  if (used.has('default') && !Object.hasOwn(top, 'default')) specs.push(networkOf(ctx, 'default', {}));
  return specs;
}
