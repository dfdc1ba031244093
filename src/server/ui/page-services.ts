import { duration, html, type Html, when } from './html.ts';
import { type Access, page } from './layout.ts';
import type { ServiceView, StackView } from './stacks.ts';

export function servicesPage(v: StackView, services: ServiceView[], access: Access): Html {
  const project = v.handle.project;
  const rows = services.map((s) => {
    const short = s.running < s.wanted || s.healthy < s.running;
    return html`<tr class="${short ? 'degraded' : 'ok'}"><th scope="row">${s.name}</th>
<td><code>${s.image}</code>${s.runningImages.length ? html`<br><span class="muted">running: ${s.runningImages.join(', ')}</span>` : ''}</td>
<td class="num">${s.running}/${s.wanted}</td><td class="num">${s.healthy}</td>
<td>${s.endpoints.length ? html`<ul class="plain">${s.endpoints.map((e) => html`<li><code>${e.host}:${e.port}</code></li>`)}</ul>` : html`<span class="muted">—</span>`}</td></tr>`;
  });
  const drift = v.status.lastDrift;
  const body = html`<h1>Services</h1>
<p class="muted">Wanted: the release in force${v.inForce ? ` (#${v.inForce.number})` : ''}. Running and healthy: the engine, now.</p>
<div class="scroll"><table class="list services"><thead><tr><th>service</th><th>image</th><th>running/wanted</th><th>healthy</th><th>endpoints</th></tr></thead>
<tbody>${rows}</tbody></table></div>
<section class="card"><h2>Last drift repair</h2>${drift ? html`<p>seen ${when(drift.seenAt)}, repaired ${when(drift.repairedAt)} (${duration(drift.ms)})</p>` : html`<p class="muted">none since serve started</p>`}</section>`;
  return page({ title: `${project} services`, access, project, tab: 'services', body });
}
