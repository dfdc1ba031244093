/**
 * Checks across services that bosun/v1 makes too, so a compose stack is refused where its
 * converted manifests would be: a fixed host port held twice (or by several replicas),
 * dependency cycles, ports or networks with network_mode host/none, too many bytes copied.
 */
import type { ServiceSpec } from '../../../model/desired.ts';
import { copyBytes, MAX_COPY_BYTES_PER_SERVICE, MAX_COPY_BYTES_PER_STACK, mebibytes } from '../../repo-copy.ts';
import { findCycles } from '../../bosun-v1/cycles.ts';
import { type MapContext, report } from './context.ts';

function hostPorts(ctx: MapContext, services: ServiceSpec[]): void {
  const owners = new Map<string, string>();
  for (const s of services) {
    for (const p of s.ports) {
      if (p.host === undefined) continue;
      const at = ['services', s.name, 'ports'];
      if (s.replicas > 1)
        report(
          ctx,
          at,
          `host port ${p.host} can serve only one replica, not ${s.replicas}: drop the host port or use one replica`,
        );
      const key = `${p.hostIp ?? '0.0.0.0'}:${p.host}/${p.protocol}`;
      const owner = owners.get(key);
      if (owner !== undefined && owner !== s.name)
        report(ctx, at, `host port ${key} is already used by service "${owner}"`);
      owners.set(key, s.name);
    }
  }
}

function networkModes(ctx: MapContext, services: ServiceSpec[]): void {
  for (const s of services) {
    const mode = s.options?.networkMode;
    if ((mode === 'host' || mode === 'none') && s.ports.length > 0) {
      report(ctx, ['services', s.name, 'ports'], `ports cannot be published with network_mode ${mode}`);
    }
  }
}

function copyLimits(ctx: MapContext, services: ServiceSpec[]): void {
  let stack = 0;
  for (const s of services) {
    const bytes = (s.copies ?? []).reduce((sum, c) => sum + copyBytes(c), 0);
    stack += bytes;
    const over = (limit: number, what: string) =>
      report(
        ctx,
        ['services', s.name, 'volumes'],
        `copies ${mebibytes(bytes)} from the repo, over the ${mebibytes(limit)} a ${what} may copy in (releases keep every copied byte): build the files into an image instead`,
      );
    if (bytes > MAX_COPY_BYTES_PER_SERVICE) over(MAX_COPY_BYTES_PER_SERVICE, 'service');
    else if (stack > MAX_COPY_BYTES_PER_STACK) over(MAX_COPY_BYTES_PER_STACK, 'stack (all services together)');
  }
}

function cycles(ctx: MapContext, services: ServiceSpec[]): void {
  const byName = new Map(services.map((s) => [s.name, s]));
  for (const cycle of findCycles([...byName.keys()], (n) => byName.get(n)?.dependsOn ?? [])) {
    report(ctx, ['services', cycle[0]!, 'depends_on'], `dependency cycle: ${[...cycle, cycle[0]].join(' → ')}`);
  }
}

export function crossChecks(ctx: MapContext, services: ServiceSpec[]): void {
  hostPorts(ctx, services);
  networkModes(ctx, services);
  copyLimits(ctx, services);
  cycles(ctx, services);
}
