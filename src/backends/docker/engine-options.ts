/**
 * A service's ContainerOptions in the engine's create body: Config fields, HostConfig fields and
 * the endpoint settings of each network. Pure; every field stays absent unless the option is set.
 */
import type Docker from 'dockerode';
import type { ContainerOptions } from '../../model/desired.ts';

/** The options as a blueprint carries them: networkOptions keyed by the engine's network names. */
export type EngineOptions = Omit<ContainerOptions, 'networkOptions'> & {
  networkOptions?: Record<string, { aliases?: string[]; ipv4Address?: string }>;
};

type Config = Pick<Docker.ContainerCreateOptions, 'Hostname' | 'Tty' | 'OpenStdin' | 'StopSignal'>;

export function configFields(o: EngineOptions | undefined): Config {
  if (!o) return {};
  return defined({ Hostname: o.hostname, Tty: o.tty, OpenStdin: o.stdinOpen, StopSignal: o.stopSignal });
}

/** `80/tcp` keys of the ports the container offers to others without publishing them (compose's expose). */
export function exposedPorts(o: EngineOptions | undefined): string[] {
  return (o?.expose ?? []).map((e) => `${e.port}/${e.protocol}`);
}

export function hostConfigFields(o: EngineOptions | undefined): Docker.HostConfig {
  if (!o) return {};
  return defined({
    Init: o.init,
    ReadonlyRootfs: o.readOnlyRootfs,
    Privileged: o.privileged,
    CapAdd: o.capAdd,
    CapDrop: o.capDrop,
    Sysctls: o.sysctls,
    Ulimits: o.ulimits && Object.entries(o.ulimits).map(([Name, l]) => ({ Name, Soft: l.soft, Hard: l.hard })),
    Tmpfs: o.tmpfs && Object.fromEntries(o.tmpfs.map((t) => [t.target, tmpfsOptions(t)])),
    ExtraHosts: o.extraHosts,
    Dns: o.dns,
    DnsSearch: o.dnsSearch,
    DnsOptions: o.dnsOptions,
    ShmSize: o.shmSizeBytes,
    LogConfig: o.logging && { Type: o.logging.driver, Config: o.logging.options },
    Devices: o.devices?.map((d) => ({
      PathOnHost: d.host,
      PathInContainer: d.container,
      CgroupPermissions: d.permissions,
    })),
  });
}

/** The endpoint on one network: the service's name as an alias, plus the extra aliases and fixed address asked for. */
export function endpointConfig(o: EngineOptions | undefined, network: string, alias: string): Docker.EndpointSettings {
  const extra = o?.networkOptions?.[network];
  return {
    Aliases: [alias, ...(extra?.aliases ?? [])],
    ...(extra?.ipv4Address ? { IPAMConfig: { IPv4Address: extra.ipv4Address } } : {}),
  };
}

function tmpfsOptions(t: NonNullable<ContainerOptions['tmpfs']>[number]): string {
  const opts = [
    ...(t.sizeBytes === undefined ? [] : [`size=${t.sizeBytes}`]),
    ...(t.mode === undefined ? [] : [`mode=${t.mode.toString(8)}`]),
  ];
  return opts.join(',');
}

function defined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
