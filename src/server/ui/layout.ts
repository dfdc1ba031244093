import { html, type Html } from './html.ts';
import { SYNC_LABELS, type SyncVerdict } from './sync-state.ts';

/** What the person looking may do: nothing (no token file), log in, or act (with a CSRF token). */
export type Access = { mode: 'read-only' } | { mode: 'login' } | { mode: 'actions'; csrf?: string };

export const UI = '/ui';

export function stackPath(project: string, page = ''): string {
  return `${UI}/s/${encodeURIComponent(project)}/${page}`;
}

export interface PageOptions {
  title: string;
  access: Access;
  /** the stack the page is about: its tabs are shown */
  project?: string;
  tab?: 'overview' | 'services' | 'releases' | 'plan';
  body: Html;
}

const TABS = [
  ['overview', '', 'Overview'],
  ['services', 'services', 'Services'],
  ['releases', 'releases', 'Releases'],
  ['plan', 'plan', 'Pending plan'],
] as const;

/** The page around every view: no inline script or style (the CSP forbids both). */
export function page(o: PageOptions): Html {
  const tabs = o.project
    ? html`<nav class="tabs" aria-label="stack">${TABS.map(
        ([id, path, label]) =>
          html`<a href="${stackPath(o.project!, path)}"${o.tab === id ? html` aria-current="page"` : ''}>${label}</a>`,
      )}</nav>`
    : '';
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${o.title} · bosun</title>
<link rel="stylesheet" href="${UI}/assets/dashboard.css">
<script src="${UI}/assets/dashboard.js" defer></script>
</head><body>
<header class="top"><a class="brand" href="${UI}/">bosun</a>${o.project ? html`<span class="crumb">${o.project}</span>` : ''}${who(o.access)}</header>
${tabs}
<main>${o.body}</main>
<footer>bosun serve · <a href="/status">/status</a> · <a href="/metrics">/metrics</a></footer>
</body></html>`;
}

function who(a: Access): Html {
  if (a.mode === 'login') return html`<a class="who" href="${UI}/login">log in for actions</a>`;
  if (a.mode === 'actions' && a.csrf)
    return html`<form class="who" method="post" action="${UI}/logout">${csrfField(a)}<button type="submit" class="link">log out</button></form>`;
  return html``;
}

export function csrfField(a: Access): Html {
  return a.mode === 'actions' && a.csrf ? html`<input type="hidden" name="csrf" value="${a.csrf}">` : html``;
}

export function syncBadge(v: SyncVerdict): Html {
  return html`<span class="sync ${v.state}" data-sync="${v.state}">${SYNC_LABELS[v.state]}</span>`;
}

export function statusBadge(status: string): Html {
  return html`<span class="badge ${status}">${status}</span>`;
}

/** Said wherever an action would be: how to turn actions on, or how to log in. */
export function actionsNote(a: Access): Html {
  if (a.mode === 'read-only')
    return html`<p class="note" id="actions-disabled">Read-only. To reconcile, roll back or resume from here, start
<code>bosun serve</code> with <code>--ui-token-file FILE</code> (or <code>BOSUN_UI_TOKEN_FILE</code>), a file
holding a token of 16 characters or more, e.g. <code>openssl rand -hex 32 &gt; FILE</code>.</p>`;
  if (a.mode === 'login')
    return html`<p class="note">Actions need the token: <a href="${UI}/login">log in</a>, or send it as <code>Authorization: Bearer</code>.</p>`;
  return html``;
}

/** A POST button for one action; the script asks for confirmation where `confirm` is set. */
export function actionForm(a: Access, action: string, label: string, fields: Html = html``, confirm?: string): Html {
  if (a.mode !== 'actions') return html``;
  return html`<form class="action" method="post" action="${action}"${confirm ? html` data-confirm="${confirm}"` : ''}>${csrfField(a)}${fields}<button type="submit">${label}</button></form>`;
}
