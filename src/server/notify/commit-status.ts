/**
 * Each release's result as a commit status on the revision it applied, as the forges' own CI
 * does: `pending` when it starts, then success / failure / error, under the context
 * `bosun/<project>`. One target among the others, so it is queued and retried the same way.
 */
import { BosunError, Codes } from '../../errors.ts';
import type { CommitStatusConfig, ForgeProvider } from './config.ts';
import type { NotifyEvent } from './events.ts';
import { truncate, urlParts, type OutgoingRequest, type Target } from './targets.ts';

export const COMMIT_STATUS_TARGET = 'commit-status';

type State = 'pending' | 'success' | 'failure' | 'error';

const STATES: Partial<Record<string, State>> = {
  applying: 'pending',
  succeeded: 'success',
  failed: 'failure',
  'rolled-back': 'failure',
  interrupted: 'error',
};

export interface ForgeRepo {
  apiUrl: string;
  /** owner/name (GitLab: the project's path or id) */
  repo: string;
}

/**
 * Where the forge's API is and what it calls the repo, from the config or else the repo URL
 * (https://github.com/o/r.git → https://api.github.com, o/r); undefined when neither says.
 */
export function forgeRepo(c: Pick<CommitStatusConfig, 'provider' | 'apiUrl' | 'repo'>, repoUrl: string) {
  let url: URL | undefined;
  try {
    url = /^https?:\/\//.test(repoUrl) ? new URL(repoUrl) : undefined;
  } catch {
    url = undefined;
  }
  const segments = (url?.pathname ?? '')
    .replace(/\.git\/?$/, '')
    .split('/')
    .filter((s) => s !== '');
  const inferred = c.provider === 'gitlab' ? segments.join('/') : segments.slice(-2).join('/');
  const repo = c.repo ?? (segments.length >= 2 ? inferred : undefined);
  const apiUrl = c.apiUrl ?? (url ? defaultApi(c.provider, url) : undefined);
  return repo && apiUrl ? { apiUrl, repo } : undefined;
}

function defaultApi(provider: ForgeProvider, url: URL): string {
  if (provider === 'github') return url.hostname === 'github.com' ? 'https://api.github.com' : `${url.origin}/api/v3`;
  return `${url.origin}/api/${provider === 'gitlab' ? 'v4' : 'v1'}`;
}

/** Refused at start-up, not at the first release: the statuses would have nowhere to go. */
export function checkForgeRepo(c: CommitStatusConfig, repoUrl: string, file: string): void {
  if (forgeRepo(c, repoUrl)) return;
  throw new BosunError(
    Codes.config,
    `${file}: commitStatus: cannot tell the ${c.provider} repo from the repo URL: set commitStatus.repo and commitStatus.apiUrl`,
  );
}

export function commitStatusTarget(c: CommitStatusConfig): Target {
  return {
    name: COMMIT_STATUS_TARGET,
    accepts: (ev) =>
      ev.event.startsWith('release.') &&
      ev.revision !== undefined &&
      ev.repo !== undefined &&
      (!c.projects || c.projects.has(ev.project)),
    request: (ev) => statusRequest(c, ev),
    secrets: [c.token, ...(c.apiUrl ? urlParts(c.apiUrl) : [])],
  };
}

export function statusRequest(c: CommitStatusConfig, ev: NotifyEvent): OutgoingRequest | undefined {
  const state = STATES[ev.result];
  const where = forgeRepo(c, ev.repo ?? '');
  if (!state || !where || !ev.revision) return undefined;
  const context = `bosun/${ev.project}`;
  const description = truncate(describe(ev), 140);
  const target = ev.url ? { target_url: ev.url } : {};
  const sha = encodeURIComponent(ev.revision);
  const base = { 'content-type': 'application/json', 'user-agent': 'bosun-notify/1' };
  if (c.provider === 'gitlab') {
    const body = {
      state: state === 'error' || state === 'failure' ? 'failed' : state,
      name: context,
      description,
      ...target,
    };
    const url = `${where.apiUrl}/projects/${encodeURIComponent(where.repo)}/statuses/${sha}`;
    return { url, method: 'POST', headers: { ...base, 'private-token': c.token }, body: JSON.stringify(body) };
  }
  const body = JSON.stringify({ state, context, description, ...target });
  const [owner, name] = where.repo.split('/').map(encodeURIComponent);
  const path = `/repos/${owner}/${name}/statuses/${sha}`;
  const headers =
    c.provider === 'github'
      ? { ...base, authorization: `Bearer ${c.token}`, accept: 'application/vnd.github+json' }
      : { ...base, authorization: `token ${c.token}` };
  return { url: `${where.apiUrl}${path}`, method: 'POST', headers, body };
}

function describe(ev: NotifyEvent): string {
  const what = ev.result === 'applying' ? 'applying' : ev.result.replace('-', ' ');
  return `release ${ev.release} ${what}${ev.error ? `: ${ev.error.code} ${ev.error.message}` : ''}`;
}
