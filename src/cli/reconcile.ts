import { reconcile } from '../session/reconcile.ts';

import { savePlan } from '../session/saved-plan.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { pinnedText } from '../release/down-pin.ts';
import type { Pin } from '../release/pin.ts';
import { renderJson, renderMarkdown, renderText, type OutputFormat } from '../render/render.ts';
import { useColor, withSession, type CommonOptions } from './context.ts';
import { isAll, type StackFlags } from './stack-flags.ts';

export interface ReconcileFlags extends CommonOptions, StackFlags {
  dryRun?: boolean;
  detailedExitcode?: boolean;
  out?: string;
}

/**
 * `bosun reconcile`: prints the plan, applies it unless --dry-run, and records a release.
 * Exit codes with --detailed-exitcode follow `terraform plan`: 0 nothing to do, 2 changes.
 */
export async function reconcileCommand(flags: ReconcileFlags): Promise<number> {
  if (isAll(flags)) return (await import('./stacks.ts')).reconcileAllCommand(flags);
  const format = outputFormat(flags.output);
  const p = printer(format);
  let planned: Plan | undefined;
  const onPlan = (plan: Plan, pin?: Pin) => {
    planned = plan;
    if (pin) p.progress(pinnedLine(plan, pin));
    p.out(renderPlan(plan, format));
    if (!flags.dryRun && !pin && plan.operations.length > 0) p.progress('\napplying:\n');
  };
  const result = await withSession(flags, p, (session) =>
    reconcile(session, { dryRun: Boolean(flags.dryRun), trigger: 'cli', onPlan }),
  );
  if (flags.out && planned) await savePlan(flags.out, planned);
  if (result.release) p.progress(releaseLine(result.release));
  const changed = result.plan.operations.length > 0;
  return flags.detailedExitcode && changed ? 2 : 0;
}

function pinnedLine(plan: Plan, pin: Pin): string {
  return `${pinnedText(pin)}; git is at ${plan.revision.slice(0, 12)}: nothing applied. 'bosun resume' would apply this plan:\n`;
}

/** With a machine format on stdout, progress goes to stderr so stdout stays parseable. */
export function printer(format: OutputFormat) {
  const out = (s: string) => void process.stdout.write(s);
  const side = format === 'text' ? out : (s: string) => void process.stderr.write(s);
  return {
    out,
    progress: ((line: string, _op?: Operation, ms?: number) =>
      side(ms === undefined ? line : `  ${line} (${(ms / 1000).toFixed(1)}s)\n`)) as (
      line: string,
      op?: Operation,
      ms?: number,
    ) => void,
    notice: (line: string) => side(`! ${line}\n`),
    output: (line: string) => side(`    ${line}\n`),
  };
}

export function renderPlan(plan: Plan, format: OutputFormat): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color: useColor() });
}

export function releaseLine(r: Release): string {
  const s = r.summary;
  const keys = s.keysPut + s.keysDeleted;
  return `release ${r.number} ${r.status}: ${r.project} at ${r.revision.slice(0, 12)} (${s.create} created, ${s.replace} replaced, ${s.remove} removed, ${keys} key(s) changed)\n`;
}

export function outputFormat(value: string | undefined): OutputFormat {
  const v = value ?? 'text';
  if (v === 'text' || v === 'json' || v === 'markdown') return v;
  throw new BosunError(Codes.usage, `--output must be text, json or markdown, not "${v}"`);
}
