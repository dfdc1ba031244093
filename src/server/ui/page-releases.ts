import type { Release } from '../../model/release.ts';
import { summaryLine } from '../../render/describe.ts';
import { scrubUrl } from '../../source/redact.ts';
import { duration, html, type Html, shortSha, when } from './html.ts';
import { type Access, actionForm, actionsNote, page, stackPath, statusBadge } from './layout.ts';
import { diffHtml, planHtml } from './plan-html.ts';
import { releaseDiff } from './release-diff.ts';
import type { PendingPlan } from './pending.ts';

export function releasesPage(project: string, releases: Release[], access: Access): Html {
  const rows = [...releases].reverse().map(
    (
      r,
    ) => html`<tr class="${r.status}"><th scope="row"><a href="${stackPath(project, `releases/${r.number}`)}">#${r.number}</a></th>
<td>${statusBadge(r.status)}</td><td>${r.trigger}</td><td>${r.actor}</td><td><code>${shortSha(r.revision)}</code></td>
<td>${when(r.startedAt)}</td><td>${duration(took(r))}</td>
<td>${r.status === 'succeeded' ? actionForm(access, stackPath(project, 'rollback'), `Roll back to #${r.number}`, html`<input type="hidden" name="release" value="${r.number}">`, `Roll back ${project} to release ${r.number} and pin it there?`) : ''}</td></tr>`,
  );
  const body = html`<h1>Releases</h1>
${releases.length === 0 ? html`<p class="muted">No release yet.</p>` : html`<div class="scroll"><table class="list releases"><thead><tr><th>#</th><th>result</th><th>trigger</th><th>who</th><th>commit</th><th>started</th><th>took</th><th></th></tr></thead><tbody>${rows}</tbody></table></div>`}
${actionsNote(access)}`;
  return page({ title: `${project} releases`, access, project, tab: 'releases', body });
}

function took(r: Release): number | undefined {
  return r.finishedAt ? Date.parse(r.finishedAt) - Date.parse(r.startedAt) : undefined;
}

/** One release: who, what, how it ended, and what it changed field by field. */
export function releasePage(project: string, r: Release, before: Release | undefined, access: Access): Html {
  const body = html`<h1>Release #${r.number} ${statusBadge(r.status)}</h1>
${r.error ? html`<section class="card failure" id="failure"><h2>Why it ${r.status === 'rolled-back' ? 'was rolled back' : 'failed'}</h2><p class="error"><code>${r.error.code}</code> ${r.error.message}</p></section>` : ''}
<section class="card"><dl>
<dt>trigger</dt><dd>${r.trigger}</dd><dt>who</dt><dd>${r.actor}</dd>
<dt>commit</dt><dd><code>${r.revision}</code> (${r.ref} of <code>${scrubUrl(r.repo)}</code>)</dd>
${r.signer ? html`<dt>signed by</dt><dd>${JSON.stringify(r.signer)}</dd>` : ''}
<dt>started</dt><dd>${when(r.startedAt)}</dd><dt>took</dt><dd>${duration(took(r))}</dd>
${r.forcePush ? html`<dt>force-push</dt><dd>does not contain release #${r.forcePush.previousRelease} (<code>${shortSha(r.forcePush.previousRevision)}</code>)</dd>` : ''}
<dt>plan</dt><dd>${summaryLine(r.summary)}</dd>
</dl>${r.status === 'succeeded' ? actionForm(access, stackPath(project, 'rollback'), `Roll back to #${r.number}`, html`<input type="hidden" name="release" value="${r.number}">`, `Roll back ${project} to release ${r.number} and pin it there?`) : ''}</section>
<section class="card"><h2>Operations</h2>${r.operations.length ? html`<ul class="plan">${r.operations.map((l) => html`<li class="op ${opClass(l)}"><code>${l}</code></li>`)}</ul>` : html`<p class="muted">none</p>`}</section>
<section class="card"><h2>Changes since ${before ? html`<a href="${stackPath(project, `releases/${before.number}`)}">#${before.number}</a>` : 'nothing (first release)'}</h2>
${diffHtml(releaseDiff(before?.desired, r.desired))}</section>
<section class="card"><h2>Images</h2><dl>${Object.entries(r.images).map(([s, id]) => html`<dt>${s}</dt><dd><code>${id}</code></dd>`)}</dl></section>
${actionsNote(access)}`;
  return page({ title: `${project} release ${r.number}`, access, project, tab: 'releases', body });
}

function opClass(line: string): string {
  return line.startsWith('+') ? 'add' : line.startsWith('-') ? 'remove' : 'change';
}

export function planPage(project: string, p: PendingPlan, access: Access, now = Date.now()): Html {
  const body = html`<h1>Pending plan</h1>
<p class="muted">What git would change now: a dry run computed on request (at most every few seconds), never applied from this page.
Computed ${Math.round((now - p.at) / 1000)} s ago in ${duration(p.ms)}${p.revision ? html` at <code>${shortSha(p.revision)}</code>` : ''}.</p>
${p.pinned ? html`<p class="note">Pinned at release #${p.pinned.release}: this is what resuming would apply.</p>` : ''}
${p.error ? html`<section class="card failure"><p class="error"><code>${p.error.code ?? 'error'}</code> ${p.error.message}</p></section>` : ''}
${p.plan ? html`<section class="card" id="pending">${planHtml(p.plan)}</section>` : ''}
${actionsNote(access)}`;
  return page({ title: `${project} pending plan`, access, project, tab: 'plan', body });
}
