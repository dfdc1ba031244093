import type { Endpoint } from '../model/endpoint.ts';
import { drainingPrefix, endpointsPrefix } from '../store/coordination/keys.ts';
import type { ProjectView } from './config.ts';

/** The keys a proxy of `project` watches. */
export function watchedPrefixes(project: string): string[] {
  return [endpointsPrefix(project), drainingPrefix(project)];
}

/**
 * A project's view from the keys under its prefixes (key → value), pure. A value that is not
 * an endpoint (hand-written, or from a newer bosun) is left out and reported, not fatal: the
 * other replicas keep their traffic.
 */
export function viewOf(project: string, keys: ReadonlyMap<string, string>): { view: ProjectView; skipped: string[] } {
  const endpoints: Endpoint[] = [];
  const draining = new Set<string>();
  const skipped: string[] = [];
  const ep = endpointsPrefix(project);
  const dr = drainingPrefix(project);
  for (const [key, value] of keys) {
    if (key.startsWith(dr)) draining.add(key.slice(dr.length));
    else if (key.startsWith(ep)) {
      const e = endpointOf(key.slice(ep.length), value);
      if (e) endpoints.push(e);
      else skipped.push(key);
    }
  }
  return { view: { endpoints, draining }, skipped };
}

function endpointOf(rel: string, value: string): Endpoint | undefined {
  const [service, replica, ...rest] = rel.split('/');
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(value) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const n = Number(replica);
  if (!service || rest.length > 0 || !Number.isSafeInteger(n) || n < 1) return undefined;
  if (typeof v.host !== 'string' || !/^[A-Za-z0-9.:-]+$/.test(v.host)) return undefined;
  if (typeof v.port !== 'number' || !Number.isInteger(v.port) || v.port < 1 || v.port > 65535) return undefined;
  return {
    service,
    replica: n,
    host: v.host,
    port: v.port,
    container: typeof v.container === 'string' ? v.container : '',
    ...(typeof v.id === 'string' ? { id: v.id } : {}),
  };
}
