/**
 * `ports` (short `[ip:][host:]container[/proto]` with ranges, or long) and `expose`. Ranges
 * are expanded to one PortSpec per port, as the engine publishes them; a container port
 * without a host port gets an ephemeral one, as `docker compose up` does.
 */
import type { PortSpec } from '../../../model/desired.ts';
import type { ComposePath } from '../loaded.ts';
import { asText, isObj, type MapContext, report } from './context.ts';

type Proto = 'tcp' | 'udp';

function range(text: string): number[] | undefined {
  const m = /^([0-9]+)(?:-([0-9]+))?$/.exec(text);
  if (!m) return undefined;
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo < 1 || hi > 65535 || hi < lo) return undefined;
  return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
}

function protocol(ctx: MapContext, path: ComposePath, text: string | undefined): Proto | undefined {
  const p = (text ?? 'tcp').toLowerCase();
  if (p === 'tcp' || p === 'udp') return p;
  report(ctx, path, `protocol "${text}" is not supported (tcp or udp)`);
  return undefined;
}

/** `127.0.0.1:8080-8081:80-81/udp` → its parts; the host IP may be `[::1]`. */
function splitShort(text: string): { ip?: string; host?: string; container: string; proto?: string } {
  const [body = '', proto] = text.split('/') as [string, string | undefined];
  let rest = body;
  let ip: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(rest);
  if (v6) [, ip, rest] = v6 as unknown as [string, string, string];
  const parts = rest.split(':');
  if (!v6 && parts.length === 3) ip = parts.shift();
  const container = parts.pop() ?? '';
  const host = parts.length > 0 ? parts.join(':') : undefined;
  return { ...(ip ? { ip } : {}), ...(host ? { host } : {}), container, ...(proto ? { proto } : {}) };
}

function expand(
  ctx: MapContext,
  path: ComposePath,
  p: { ip?: string; host?: string; container: string; proto?: string },
): PortSpec[] {
  const containers = range(p.container);
  const hosts = p.host === undefined ? undefined : range(p.host);
  const proto = protocol(ctx, path, p.proto);
  if (!containers || (p.host !== undefined && !hosts)) {
    report(ctx, path, 'must be [host_ip:][host_port[-end]:]container_port[-end][/protocol] with ports 1-65535');
    return [];
  }
  if (hosts && hosts.length !== containers.length) {
    report(
      ctx,
      path,
      'host and container port ranges must have the same length (bosun does not pick a free port from a host range)',
    );
    return [];
  }
  if (!proto) return [];
  return containers.map((container, i) => ({
    container,
    ...(hosts ? { host: hosts[i]! } : {}),
    protocol: proto,
    ...(p.ip ? { hostIp: p.ip } : {}),
  }));
}

export function mapPorts(ctx: MapContext, path: ComposePath, list: unknown[]): PortSpec[] {
  return list.flatMap((entry, i) => {
    const at = [...path, i];
    if (!isObj(entry)) return expand(ctx, at, splitShort(asText(entry)));
    if (entry.mode !== undefined && entry.mode !== 'host' && entry.mode !== 'ingress') {
      report(ctx, [...at, 'mode'], 'must be host or ingress');
    }
    return expand(ctx, at, {
      ...(entry.host_ip !== undefined ? { ip: asText(entry.host_ip) } : {}),
      ...(entry.published !== undefined && entry.published !== '' ? { host: asText(entry.published) } : {}),
      container: asText(entry.target),
      ...(entry.protocol !== undefined ? { proto: asText(entry.protocol) } : {}),
    });
  });
}

export function mapExpose(ctx: MapContext, path: ComposePath, list: unknown[]): { port: number; protocol: Proto }[] {
  return list.flatMap((entry, i) => {
    const [ports = '', proto] = asText(entry).split('/');
    const nums = range(ports);
    const p = protocol(ctx, [...path, i], proto);
    if (!nums) report(ctx, [...path, i], 'must be a port or range, optionally /tcp or /udp');
    return nums && p ? nums.map((port) => ({ port, protocol: p })) : [];
  });
}
