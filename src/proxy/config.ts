import type { Endpoint } from '../model/endpoint.ts';
import type { Route } from './routes.ts';

/** What the proxy knows of one project: its published endpoints and the ids being drained. */
export interface ProjectView {
  endpoints: Endpoint[];
  draining: ReadonlySet<string>;
}

export interface RenderOptions {
  /** where haproxy's admin socket lives (the next worker takes the listening sockets over from it) */
  runDir: string;
  /** tcp forwards any protocol; http also retries a request a closing replica answered with nothing */
  mode: 'tcp' | 'http';
}

/**
 * The replicas a route sends to: published, minus those being drained. When every replica of the
 * service is draining they all stay: a closing replica is better than a refused connection.
 */
export function backendsOf(route: Route, view: ProjectView | undefined): Endpoint[] {
  const all = (view?.endpoints ?? []).filter((e) => e.service === route.service);
  const live = all.filter((e) => e.id === undefined || !view?.draining.has(e.id));
  return (live.length > 0 ? live : all).sort((a, b) => a.replica - b.replica || a.port - b.port);
}

/**
 * haproxy.cfg for the routes, pure. Servers are named by replica and address, so a replica
 * renamed in place (a start-first successor taking its name) renders the same text and needs
 * no reload. Connection failures are retried on another replica (redispatch on every retry):
 * the safety net behind draining, for a replica that died between two renders.
 */
export function renderHaproxy(routes: Route[], views: ReadonlyMap<string, ProjectView>, o: RenderOptions): string {
  const lines = [
    '# rendered by bosun proxy: do not edit, it is rewritten on every endpoint change',
    'global',
    `  stats socket ${o.runDir}/admin.sock mode 600 level admin expose-fd listeners`,
    '',
    'defaults',
    `  mode ${o.mode}`,
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    '  retries 3',
    '  option redispatch 1',
  ];
  if (o.mode === 'http') lines.push('  retry-on conn-failure empty-response response-timeout');
  for (const route of routes) lines.push('', ...listenSection(route, backendsOf(route, views.get(route.project))));
  return `${lines.join('\n')}\n`;
}

function listenSection(route: Route, backends: Endpoint[]): string[] {
  const bind = route.host.includes(':') && !route.host.startsWith('[') ? `[${route.host}]` : route.host;
  const out = [`listen ${safeName(`${route.project}.${route.service}.${route.port}`)}`];
  out.push(`  bind ${bind}:${route.port}`, '  balance roundrobin');
  for (const e of backends) {
    const address = e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
    out.push(`  server ${safeName(`${e.service}-${e.replica}-${e.host}-${e.port}`)} ${address} check inter 1s`);
  }
  return out;
}

/** haproxy names allow letters, digits, '-', '_', '.' and ':'. */
function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.:-]/g, '_');
}
