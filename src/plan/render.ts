import { createTwoFilesPatch } from 'diff';
import type { Operation, Plan } from '../model/plan.ts';
import { changeLines, describe, SECRET, summaryLine, symbolOf, targetOf, verbOf } from './describe.ts';

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
    lines.push(`  ${paint(COLOURS[symbolOf(op)], describe(op))}`);
    for (const c of changeLines(op)) lines.push(`      ${paint(COLOURS.dim, c)}`);
  }
  return [...lines, ...notes(p).map((n) => `\n${n}`)].join('\n') + '\n';
}

function notes(p: Plan): string[] {
  return p.notes.map((n) => `note: ${n}`);
}

/** For machines: blueprints are left out (they hold resolved environments, secrets included). */
export function renderJson(p: Plan): string {
  const operations = p.operations.map(jsonOperation);
  const { project, repo, ref, revision, hash, summary, notes: planNotes } = p;
  return JSON.stringify({ project, repo, ref, revision, hash, summary, notes: planNotes, operations }, null, 2) + '\n';
}

function jsonOperation(op: Operation): Record<string, unknown> {
  const base = { kind: op.kind, action: verbOf(op), target: targetOf(op), cause: op.cause };
  switch (op.kind) {
    case 'create-container':
      return { ...base, service: op.service, replica: op.replica, name: op.blueprint.name, image: op.blueprint.image };
    case 'replace-container':
      return { ...base, service: op.service, replica: op.replica, name: op.blueprint.name, image: op.blueprint.image, containerId: op.containerId, changes: op.changes.map((c) => (c.secret ? { ...c, from: SECRET, to: SECRET } : c)) };
    case 'remove-container':
      return { ...base, service: op.service, replica: op.replica, name: op.name, containerId: op.containerId };
    case 'put-key':
      return { ...base, key: op.key, value: op.secret ? SECRET : op.value, previous: op.secret ? SECRET : op.previous };
    case 'delete-key':
      return { ...base, key: op.key };
    default:
      return { ...base, name: op.name };
  }
}

/** To paste in a pull request: a table, then each replacement as a diff block. */
export function renderMarkdown(p: Plan): string {
  const out = [`### ${header(p)}`, ''];
  if (p.operations.length === 0) return [...out, 'No changes.', ''].join('\n');
  out.push(`**${summaryLine(p.summary)}**`, '', '| | action | target | cause |', '|---|---|---|---|');
  for (const op of p.operations) out.push(`| ${symbolOf(op)} | ${verbOf(op)} | \`${targetOf(op)}\` | ${op.cause} |`);
  for (const op of p.operations) {
    if (op.kind !== 'replace-container' || op.changes.length === 0) continue;
    const patch = createTwoFilesPatch('running', 'desired', lines(op, 'from'), lines(op, 'to'), '', '', { context: 0 });
    out.push('', `<details><summary>${op.blueprint.name}</summary>`, '', '```diff', patch.trimEnd(), '```', '</details>');
  }
  return [...out, ...p.notes.map((n) => `\n> ${n}`), ''].join('\n');
}

function lines(op: Extract<Operation, { kind: 'replace-container' }>, side: 'from' | 'to'): string {
  return op.changes.map((c) => `${c.path}: ${c.secret ? SECRET : JSON.stringify(c[side]) ?? '(none)'}\n`).join('');
}
