import type { Provider } from './verify.ts';

/** What a payload says about the repository it comes from: clone/web URLs and `owner/name` paths. */
export interface RepoClaim {
  urls: string[];
  names: string[];
}

type Payload = Record<string, unknown>;

function obj(v: unknown): Payload {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Payload) : {};
}

function strings(...vs: unknown[]): string[] {
  return vs.filter((v): v is string => typeof v === 'string' && v !== '');
}

/** The repository fields each forge puts in a push payload (Bitbucket: Cloud and Data Center). */
export function repoClaim(provider: Provider, payload: unknown): RepoClaim {
  const p = obj(payload);
  const r = obj(p.repository);
  switch (provider) {
    case 'github':
    case 'gitea':
      return { urls: strings(r.clone_url, r.html_url, r.ssh_url, r.git_url), names: strings(r.full_name) };
    case 'gitlab': {
      const proj = obj(p.project);
      return {
        urls: strings(proj.git_http_url, proj.git_ssh_url, proj.web_url, r.git_http_url, r.git_ssh_url, r.homepage),
        names: strings(proj.path_with_namespace),
      };
    }
    case 'bitbucket': {
      const links = obj(r.links);
      const clone = Array.isArray(links.clone) ? links.clone.map((c) => obj(c).href) : [];
      const key = obj(r.project).key;
      const dcName = typeof key === 'string' && typeof r.slug === 'string' ? `${key}/${r.slug}` : undefined;
      return { urls: strings(obj(links.html).href, ...clone), names: strings(r.full_name, dcName) };
    }
    case 'generic':
      return typeof p.repository === 'string'
        ? { urls: [p.repository], names: [p.repository] }
        : { urls: strings(r.url), names: strings(r.full_name) };
  }
}

/**
 * `host/path` of a git URL, lower-cased, without user, port, `.git` or trailing slashes, so that
 * the https, ssh and scp-like (`git@host:owner/name.git`) forms of one repo compare equal. A
 * local path has no host: `/srv/git/shop.git` gives `srv/git/shop`.
 */
export function normalizeRepo(url: string): { host?: string; path: string } {
  const clean = (path: string) =>
    path
      .replace(/\/+$/, '')
      .replace(/\.git$/i, '')
      .replace(/^\/+/, '')
      .toLowerCase();
  const scp = /^[^/@:]+@([^/:]+):(?!\/)(.+)$/.exec(url);
  if (scp) return { host: scp[1]!.toLowerCase(), path: clean(scp[2]!) };
  try {
    const u = new URL(url);
    if (u.hostname !== '') return { host: u.hostname.toLowerCase(), path: clean(decodeURIComponent(u.pathname)) };
    return { path: clean(decodeURIComponent(u.pathname)) };
  } catch {
    return { path: clean(url) };
  }
}

/**
 * Whether a payload's repository is the configured one. URLs on the configured host decide
 * alone (same host and path); otherwise (the forge reached under another host name, or a local
 * repo) an `owner/name` path must end the configured path at a segment boundary.
 */
export function repoMatches(configured: string, claim: RepoClaim): boolean {
  const want = normalizeRepo(configured);
  const sameHost = claim.urls.map(normalizeRepo).filter((u) => u.host !== undefined && u.host === want.host);
  if (sameHost.length > 0) return sameHost.some((u) => u.path === want.path);
  return claim.names.some((name) => {
    const n = normalizeRepo(name).path;
    return n !== '' && (want.path === n || want.path.endsWith(`/${n}`));
  });
}
