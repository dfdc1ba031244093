import { createTwoFilesPatch } from 'diff';
import type { FieldChange, Plan } from '../model/plan.ts';
import { changeLine, described, SECRET, summaryLine } from './describe.ts';

export type OutputFormat = 'text' | 'json' | 'markdown';

const COLOURS = { '+': '\x1b[32m', '~': '\x1b[33m', '-': '\x1b[31m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;

function header(p: Plan): string {
  return `Plan for ${p.project} at ${p.revision.slice(0, 12)} (${p.ref} of ${p.repo})`;
}

/** The stable text form: tests compare it verbatim, so change it deliberately. */
export function renderText(p: Plan, opts: { color: boolean }): string {
  const paint = (code: string, s: string) => (opts.color ? `${code}${s}${COLOURS.reset}` : s);
  if (p.operations.length === 0) return [`${header(p)}: no changes.`, ...notes(p)].join('\n') + '\n';
  const lines = [`${header(p)}: ${summaryLine(p.summary)}`, ''];
  for (const op of p.operations) {
    const d = described(p.backend, op);
    lines.push(`  ${paint(COLOURS[d.symbol], `${d.symbol} ${d.verb} ${d.target} — ${op.cause}`)}`);
    for (const c of d.changes?.changes ?? []) lines.push(`      ${paint(COLOURS.dim, changeLine(c))}`);
  }
  return [...lines, ...notes(p).map((n) => `\n${n}`)].join('\n') + '\n';
}

/** The canonical text form without colour: the expected value in planner tests. */
export function planString(p: Plan): string {
  return renderText(p, { color: false });
}

function notes(p: Plan): string[] {
  return p.notes.map((n) => `note: ${n}`);
}

/** For machines: blueprints are left out (they are the engine's business, and long). */
export function renderJson(p: Plan): string {
  const operations = p.operations.map((op) => {
    const d = described(p.backend, op);
    const changes = d.changes?.changes;
    return {
      kind: op.kind,
      action: d.verb,
      target: d.target,
      cause: op.cause,
      ...d.json,
      ...(changes ? { changes } : {}),
    };
  });
  const { project, repo, ref, revision, hash, summary, notes: planNotes } = p;
  return JSON.stringify({ project, repo, ref, revision, hash, summary, notes: planNotes, operations }, null, 2) + '\n';
}

/** To paste in a pull request: a table, then each replacement as a diff block. */
export function renderMarkdown(p: Plan): string {
  const out = [`### ${header(p)}`, ''];
  if (p.operations.length === 0) return [...out, 'No changes.', ''].join('\n');
  out.push(`**${summaryLine(p.summary)}**`, '', '| | action | target | cause |', '|---|---|---|---|');
  const all = p.operations.map((op) => ({ op, d: described(p.backend, op) }));
  for (const { op, d } of all) out.push(`| ${d.symbol} | ${d.verb} | \`${d.target}\` | ${op.cause} |`);
  for (const { d } of all) {
    if (!d.changes || d.changes.changes.length === 0) continue;
    const patch = createTwoFilesPatch(
      'running',
      'desired',
      lines(d.changes.changes, 'from'),
      lines(d.changes.changes, 'to'),
      '',
      '',
      { context: 0 },
    );
    out.push('', `<details><summary>${d.changes.name}</summary>`, '', '```diff', patch.trimEnd(), '```', '</details>');
  }
  return [...out, ...p.notes.map((n) => `\n> ${n}`), ''].join('\n');
}

function lines(changes: FieldChange[], side: 'from' | 'to'): string {
  return changes.map((c) => `${c.path}: ${c.secret ? SECRET : (JSON.stringify(c[side]) ?? '(none)')}\n`).join('');
}
