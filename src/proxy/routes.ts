import { BosunError, Codes } from '../errors.ts';

/** One local port of `bosun proxy`: connections to `host:port` go to the replicas of `project/service`. */
export interface Route {
  project: string;
  service: string;
  host: string;
  port: number;
}

const SPEC = /^(?:([^/=\s]+)\/)?([^/=\s]+)=(?:(\[[0-9A-Fa-f:.]+\]|[^:=\s]+):)?(\d{1,5})$/;

/**
 * `--listen [project/]service=[host:]port`, repeatable; the project defaults to --project and the
 * host to 127.0.0.1 (a local port is for this host's own clients unless said otherwise).
 * Every bad spec is reported at once; two routes on one address are refused.
 */
export function parseRoutes(specs: string[], defaultProject: string | undefined): Route[] {
  const problems: string[] = [];
  const routes: Route[] = [];
  for (const spec of specs) {
    const m = SPEC.exec(spec);
    const port = Number(m?.[4]);
    const project = m?.[1] ?? defaultProject;
    if (!m || port < 1 || port > 65535) {
      problems.push(`--listen ${JSON.stringify(spec)}: expected [project/]service=[host:]port with a port 1-65535`);
    } else if (!project) {
      problems.push(`--listen ${JSON.stringify(spec)}: no project: write project/service= or give --project`);
    } else {
      routes.push({ project, service: m[2] ?? '', host: m[3] ?? '127.0.0.1', port });
    }
  }
  if (specs.length === 0) problems.push('bosun proxy needs at least one --listen [project/]service=[host:]port');
  const seen = new Set<string>();
  for (const r of routes) {
    const address = `${r.host}:${r.port}`;
    if (seen.has(address)) problems.push(`--listen: ${address} is given twice`);
    seen.add(address);
  }
  if (problems.length > 0) throw new BosunError(Codes.usage, problems.join('\n'), { data: { problems } });
  return routes;
}

/** The projects whose endpoints the routes need, each once. */
export function projectsOf(routes: Route[]): string[] {
  return [...new Set(routes.map((r) => r.project))].sort();
}
