/**
 * The first page of `serve --all`'s dashboard: every stack of the cluster repo, one row each,
 * from what the passes found (server/stacks/board.ts), with nothing looked at again. Pure: the
 * same layout, styles and per-stack pages (/ui/s/<project>/…) as the one-project dashboard.
 */
import type { SyncState } from '../../stacks/status.ts';
import { duration, html, type Html, shortSha, when } from '../ui/html.ts';
import { type Access, page, stackPath, statusBadge } from '../ui/layout.ts';
import type { StackView } from './board.ts';

export interface StackListController {
  repo: string;
  ref: string;
  leader: boolean;
  leaderName: string | null;
  draining: boolean;
}

/** The board's states drawn with the dashboard's colours (assets/dashboard/dashboard.css). */
const COLOUR: Record<SyncState, string> = {
  synced: 'in-sync',
  'out-of-sync': 'out-of-sync',
  drifted: 'out-of-sync',
  pinned: 'pinned',
  down: 'pinned',
  invalid: 'failed',
  failed: 'failed',
  error: 'failed',
  progressing: 'applying',
  removed: '',
  unknown: '',
};

export function clusterStackListPage(stacks: StackView[], c: StackListController, access: Access): Html {
  const rows = stacks.map(row);
  const body = html`<h1>Stacks</h1>
<p class="muted" id="cluster-source"><code>${c.repo}</code> at <code>${c.ref}</code> · ${stacks.length} stack(s) · ${role(c)}</p>
<table class="list" id="stacks"><thead><tr><th>folder</th><th>project</th><th>state</th><th>applied</th><th>last pass</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>
${stacks.length === 0 ? html`<p class="muted">No stack found yet: the first pass has not read the repo.</p>` : ''}
${c.leader ? '' : html`<p class="note">This controller is a follower: only the leader plans and applies, and its passes are not shown here.</p>`}
<p class="note" id="actions-disabled">Read-only: reconcile, roll back or resume a stack with the CLI
(<code>bosun reconcile --all</code>, <code>bosun rollback</code>, <code>bosun resume</code>).</p>`;
  return page({ title: 'Stacks', access, body });
}

function row(s: StackView): Html {
  const p = s.project;
  const state = html`<span class="sync ${COLOUR[s.sync]}" data-sync="${s.sync}">${s.sync}</span>`;
  const applied = s.applied
    ? html`<code>${shortSha(s.applied.revision)}</code> ${p ? html`<a href="${stackPath(p, `releases/${s.applied.release}`)}">#${s.applied.release}</a>` : `#${s.applied.release}`}`
    : '—';
  const last = s.lastPass
    ? html`${s.lastPass.reason}: ${statusBadge(s.lastPass.result)} ${when(s.lastPass.at)}, ${duration(s.lastPass.durationMs)}`
    : '—';
  const error = s.error ? html`<div class="error"><code>${s.error.code}</code> ${s.error.message}</div>` : '';
  const links = p
    ? html`<a href="${stackPath(p)}">overview</a> · <a href="${stackPath(p, 'releases')}">releases</a>`
    : '';
  return html`<tr data-stack="${s.path}"><th scope="row"><code>${s.path}</code></th>
<td>${p ? html`<a href="${stackPath(p)}">${p}</a>` : html`<span class="muted">—</span>`}</td>
<td>${state}</td><td>${applied}</td><td>${last}${error}</td><td>${links}</td></tr>`;
}

function role(c: StackListController): Html {
  if (c.draining) return html`<span class="badge failed">stopping</span>`;
  if (c.leader) return html`<span class="badge succeeded" id="role">leader</span>`;
  return html`<span class="badge" id="role">follower</span>${c.leaderName ? html` <span class="muted">(leader: ${c.leaderName})</span>` : ''}`;
}
