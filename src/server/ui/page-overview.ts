import type { Release } from '../../model/release.ts';
import { duration, html, type Html, shortSha, when } from './html.ts';
import { type Access, actionForm, actionsNote, page, stackPath, statusBadge, syncBadge, UI } from './layout.ts';
import type { ProgressLine } from './progress.ts';
import type { StackView } from './stacks.ts';

/** The first page: every stack the controller runs, one line each (one today). */
export function stackListPage(views: StackView[], access: Access): Html {
  const rows = views.map(
    (v) => html`<tr><th scope="row"><a href="${stackPath(v.handle.project)}">${v.handle.project}</a></th>
<td>${syncBadge(v.sync)}</td><td><code>${shortSha(v.status.applied?.revision)}</code></td>
<td>${v.status.applied ? `#${v.status.applied.release}` : '—'}</td><td>${role(v)}</td></tr>`,
  );
  const body = html`<h1>Stacks</h1><table class="list"><thead><tr><th>stack</th><th>state</th><th>applied</th><th>release</th><th>role</th></tr></thead>
<tbody>${rows}</tbody></table>${actionsNote(access)}`;
  return page({ title: 'Stacks', access, body });
}

export function overviewPage(v: StackView, progress: ProgressLine[], access: Access): Html {
  const project = v.handle.project;
  const body = html`<div id="summary" data-summary="${stackPath(project, 'summary')}">${summaryFragment(v, access)}</div>
<section class="card live" id="live" data-events="${stackPath(project, 'events')}">
<h2>Live <span class="muted" id="live-state">progress of the running pass</span></h2>
<ol id="progress" class="progress">${progress.map(progressItem)}</ol>
${progress.length === 0 ? html`<p class="muted" id="progress-empty">No pass has applied anything since serve started.</p>` : ''}
</section>`;
  return page({ title: project, access, project, tab: 'overview', body });
}

export function progressItem(l: ProgressLine): Html {
  return html`<li class="${l.kind}" data-id="${l.id}"><time datetime="${l.at}">${l.at.slice(11, 19)}</time> ${l.text}${l.ms !== undefined ? html` <span class="muted">(${duration(l.ms)})</span>` : ''}</li>`;
}

/** Re-fetched by the page's script after each pass: the state turns without a reload. */
export function summaryFragment(v: StackView, access: Access): Html {
  const s = v.status;
  const project = v.handle.project;
  const attempt = s.lastAttempt;
  return html`<section class="headline"><h1>${project}</h1>${syncBadge(v.sync)}<p class="why">${v.sync.why}</p></section>
<div class="cards">
<section class="card"><h2>Git</h2><dl>
<dt>applied</dt><dd><code id="applied-revision">${shortSha(s.applied?.revision)}</code></dd>
<dt>newest seen</dt><dd><code id="seen-revision">${shortSha(v.seen)}</code></dd>
<dt>source</dt><dd><code>${s.repo}</code> at <code>${s.ref}</code>${s.path ? html` in <code>${s.path}</code>` : ''}</dd>
</dl></section>
<section class="card"><h2>Release in force</h2>${inForce(v.inForce, project)}</section>
<section class="card"><h2>Controller</h2><dl>
<dt>role</dt><dd>${role(v)}</dd>
<dt>queue</dt><dd>${s.queue.running ? 'running a pass' : 'idle'}${s.queue.pending ? ', one more pending' : ''}</dd>
<dt>last pass</dt><dd>${attempt ? html`${attempt.trigger}: ${statusBadge(attempt.result)} ${when(attempt.at)}, ${duration(attempt.durationMs)}` : '—'}</dd>
${attempt?.error ? html`<dt>error</dt><dd class="error"><code>${attempt.error.code}</code> ${attempt.error.message}</dd>` : ''}
<dt>last webhook</dt><dd>${s.lastWebhook ? html`${s.lastWebhook.provider}: ${s.lastWebhook.status} ${when(s.lastWebhook.at)}` : '—'}</dd>
</dl></section>
</div>
${failure(v.newest, project)}
<section class="card actions" id="actions"><h2>Actions</h2>${actions(v, access)}</section>`;
}

function role(v: StackView): Html {
  const s = v.status;
  if (s.draining) return html`<span class="badge failed">stopping</span>`;
  if (s.leader) return html`<span class="badge succeeded">leader</span>`;
  return html`<span class="badge">follower</span>${s.leaderName ? html` <span class="muted">(leader: ${s.leaderName})</span>` : ''}`;
}

function inForce(r: Release | undefined, project: string): Html {
  if (!r) return html`<p class="muted">none yet</p>`;
  return html`<dl><dt>release</dt><dd><a href="${stackPath(project, `releases/${r.number}`)}">#${r.number}</a> ${statusBadge(r.status)}</dd>
<dt>revision</dt><dd><code>${shortSha(r.revision)}</code></dd>
<dt>trigger</dt><dd>${r.trigger} by ${r.actor}</dd><dt>finished</dt><dd>${when(r.finishedAt)}</dd></dl>`;
}

/** The newest release failed: its error (with the container's last health output) up front. */
function failure(r: Release | undefined, project: string): Html {
  if (!r?.error || (r.status !== 'failed' && r.status !== 'rolled-back' && r.status !== 'interrupted')) return html``;
  return html`<section class="card failure" id="failure"><h2>Release <a href="${stackPath(project, `releases/${r.number}`)}">#${r.number}</a> ${statusBadge(r.status)}</h2>
<p class="error"><code>${r.error.code}</code> ${r.error.message}</p></section>`;
}

function actions(v: StackView, access: Access): Html {
  const project = v.handle.project;
  if (access.mode !== 'actions') return actionsNote(access);
  const pinned = v.status.pinned;
  return html`<div class="buttons">${actionForm(access, stackPath(project, 'reconcile'), 'Reconcile now')}
${pinned ? actionForm(access, stackPath(project, 'resume'), 'Resume', html``, `Unpin ${project} and apply git again?`) : ''}
<a class="button secondary" href="${stackPath(project, 'releases')}">Roll back…</a></div>
${v.status.leader ? '' : html`<p class="note">This controller is a follower: queued actions run only where the leader is.</p>`}
<p class="muted">Actions run on the controller's queue, one pass at a time, like webhooks. <a href="${UI}/">All stacks</a></p>`;
}
