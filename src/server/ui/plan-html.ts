import type { FieldChange, Plan } from '../../model/plan.ts';
import { described, SECRET, summaryLine } from '../../render/describe.ts';
import { show } from '../../plan/changes.ts';
import { html, type Html } from './html.ts';
import type { DiffSection } from './release-diff.ts';

const SYMBOL_CLASS = { '+': 'add', '~': 'change', '-': 'remove' } as const;

/** A plan as the CLI words it (render/describe.ts, masked there), laid out for a page. */
export function planHtml(p: Plan): Html {
  if (p.operations.length === 0) return html`<p class="ok">No changes: the stack is what git says.</p>${notes(p)}`;
  const ops = p.operations.map((op) => {
    const d = described(p.backend, op);
    const changes = d.changes?.changes ?? [];
    return html`<li class="op ${SYMBOL_CLASS[d.symbol]}"><span class="sym">${d.symbol}</span>
<span class="verb">${d.verb}</span> <code>${d.target}</code> <span class="cause">— ${op.cause}</span>
${changes.length > 0 ? changeTable(changes) : ''}</li>`;
  });
  return html`<p class="summary">${summaryLine(p.summary)}</p><ul class="plan">${ops}</ul>${notes(p)}`;
}

function notes(p: Plan): Html {
  if (p.notes.length === 0) return html``;
  return html`<ul class="notes">${p.notes.map((n) => html`<li>note: ${n}</li>`)}</ul>`;
}

/** Field changes as a three-column table; a secret shows as (secret) on both sides. */
export function changeTable(changes: FieldChange[]): Html {
  const rows = changes.map(
    (c) =>
      html`<tr><th scope="row"><code>${c.path}</code></th><td class="from"><code>${value(c, 'from')}</code></td><td class="to"><code>${value(c, 'to')}</code></td></tr>`,
  );
  return html`<table class="fields"><thead><tr><th>field</th><th>before</th><th>after</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function value(c: FieldChange, side: 'from' | 'to'): string {
  if (c.secret) return c[side] === undefined ? '(none)' : SECRET;
  return show(c[side]);
}

/** What a release changed, declared thing by declared thing (release-diff.ts). */
export function diffHtml(sections: DiffSection[]): Html {
  if (sections.length === 0) return html`<p class="muted">Nothing declared changed since the release before.</p>`;
  return html`${sections.map(
    (
      s,
    ) => html`<section class="diff ${s.change}"><h4><span class="badge ${s.change}">${s.change}</span> ${s.kind} <code>${s.name}</code></h4>
${s.fields.length > 0 ? changeTable(s.fields) : ''}</section>`,
  )}`;
}
