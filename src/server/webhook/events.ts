import type { IncomingHttpHeaders } from 'node:http';
import { header, type Provider } from './verify.ts';

/** What a delivery asks of us: a connectivity test, a push to some refs, or something we ignore. */
export type Classified =
  | { kind: 'ping'; event: string }
  | { kind: 'push'; event: string; refs: string[]; after?: string }
  | { kind: 'other'; event: string };

type Payload = Record<string, unknown>;

/**
 * Reads the event type from the provider's header and the pushed refs from its payload. Test
 * deliveries count as pings: Gitea/Forgejo send a push whose `before` equals `after`, GitLab's
 * test button sends its fixed sample payload (on older versions under a "Push Event" header).
 */
export function classify(provider: Provider, headers: IncomingHttpHeaders, payload: unknown): Classified {
  const p = (payload && typeof payload === 'object' ? payload : {}) as Payload;
  switch (provider) {
    case 'github':
      return github(header(headers, 'x-github-event') ?? '', p);
    case 'gitlab':
      return gitlab(header(headers, 'x-gitlab-event') ?? '', p);
    case 'gitea':
      return gitea(
        header(headers, 'x-gitea-event') ?? header(headers, 'x-forgejo-event') ?? header(headers, 'x-gogs-event') ?? '',
        p,
      );
    case 'bitbucket':
      return bitbucket(header(headers, 'x-event-key') ?? '', p);
    case 'generic':
      return generic(header(headers, 'x-event') ?? 'push', p);
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function push(event: string, p: Payload, refs: (string | undefined)[]): Classified {
  return { kind: 'push', event, refs: refs.filter((r): r is string => r !== undefined), after: str(p.after) };
}

function github(event: string, p: Payload): Classified {
  if (event === 'ping') return { kind: 'ping', event };
  if (event === 'push') return push(event, p, [str(p.ref)]);
  return { kind: 'other', event: event || '(none)' };
}

/** GitLab's sample push (Gitlab::DataBuilder::Push::SAMPLE_DATA), sent by its test button. */
const GITLAB_SAMPLE_AFTER = 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7';

function gitlab(event: string, p: Payload): Classified {
  if (event === 'Push Event' || event === 'Tag Push Event') return { kind: 'ping', event };
  if (event === 'Push Hook' || event === 'Tag Push Hook') {
    if (p.after === GITLAB_SAMPLE_AFTER) return { kind: 'ping', event };
    return push(event, p, [str(p.ref)]);
  }
  return { kind: 'other', event: event || '(none)' };
}

function gitea(event: string, p: Payload): Classified {
  if (event === 'ping') return { kind: 'ping', event };
  if (event === 'push') {
    if (str(p.before) !== undefined && p.before === p.after) return { kind: 'ping', event };
    return push(event, p, [str(p.ref)]);
  }
  return { kind: 'other', event: event || '(none)' };
}

/** Bitbucket Cloud (repo:push, push.changes[].new) and Data Center (repo:refs_changed, changes[].ref.id). */
function bitbucket(event: string, p: Payload): Classified {
  if (event === 'diagnostics:ping') return { kind: 'ping', event };
  if (event === 'repo:push') {
    const changes = ((p.push as Payload | undefined)?.changes ?? []) as {
      new?: { type?: string; name?: string } | null;
    }[];
    const refs = changes.map((c) => {
      const name = str(c.new?.name);
      if (!name) return undefined;
      return c.new?.type === 'tag' ? `refs/tags/${name}` : `refs/heads/${name}`;
    });
    return push(event, p, refs);
  }
  if (event === 'repo:refs_changed') {
    const changes = (p.changes ?? []) as { ref?: { id?: string }; refId?: string }[];
    return push(
      event,
      p,
      changes.map((c) => str(c.ref?.id) ?? str(c.refId)),
    );
  }
  return { kind: 'other', event: event || '(none)' };
}

/** The generic endpoint: `{ "ref": "main" | "refs/heads/main" }`, or no ref at all to always reconcile. */
function generic(event: string, p: Payload): Classified {
  if (event === 'ping') return { kind: 'ping', event };
  const ref = str(p.ref);
  return push(event, p, [ref === undefined || ref.startsWith('refs/') ? ref : `refs/heads/${ref}`]);
}

/**
 * Whether a push to `refs` can change what bosun follows (`wanted`: the --ref). No ref in the
 * payload, or following HEAD, always counts; a branch or tag name matches refs/heads/ or refs/tags/.
 */
export function pushConcerns(refs: string[], wanted: string | undefined): boolean {
  if (refs.length === 0 || wanted === undefined || wanted === 'HEAD') return true;
  const names = wanted.startsWith('refs/') ? [wanted] : [`refs/heads/${wanted}`, `refs/tags/${wanted}`];
  return refs.some((r) => names.includes(r));
}
