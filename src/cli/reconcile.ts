import { reconcile } from '../controller/reconcile.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { renderJson, renderMarkdown, renderText, type OutputFormat } from '../plan/render.ts';
import { dockerRuntime, projectOverride, sourceOptions, useColor, withStore, type CommonOptions } from './context.ts';

export interface ReconcileFlags extends CommonOptions {
  dryRun?: boolean;
  detailedExitcode?: boolean;
}

/**
 * `bosun reconcile`: prints the plan, applies it unless --dry-run, and records a release.
 * Exit codes with --detailed-exitcode follow `terraform plan`: 0 nothing to do, 2 changes.
 */
export async function reconcileCommand(flags: ReconcileFlags): Promise<number> {
  const format = outputFormat(flags.output);
  const out = (s: string) => process.stdout.write(s);
  // With a machine format on stdout, progress goes to stderr so stdout stays parseable.
  const progress = format === 'text' ? out : (s: string) => process.stderr.write(s);
  const result = await withStore(flags, (kv) =>
    reconcile({
      source: sourceOptions(flags),
      project: projectOverride(flags),
      dryRun: Boolean(flags.dryRun),
      trigger: 'cli',
      runtime: dockerRuntime(flags),
      kv,
      onPlan: (plan) => {
        out(render(plan, format));
        if (!flags.dryRun && plan.operations.length > 0) progress('\napplying:\n');
      },
      progress: (line, _op, ms) => progress(`  ${line} (${(ms / 1000).toFixed(1)}s)\n`),
    }),
  );
  if (result.release) progress(releaseLine(result.release));
  const changed = result.plan.operations.length > 0;
  return flags.detailedExitcode && changed ? 2 : 0;
}

function render(plan: Plan, format: OutputFormat): string {
  if (format === 'json') return renderJson(plan);
  if (format === 'markdown') return renderMarkdown(plan);
  return renderText(plan, { color: useColor() });
}

function releaseLine(r: Release): string {
  const s = r.summary;
  const keys = s.keysPut + s.keysDeleted;
  return `release ${r.number} ${r.status}: ${r.project} at ${r.revision.slice(0, 12)} (${s.create} created, ${s.replace} replaced, ${s.remove} removed, ${keys} key(s) changed)\n`;
}

export function outputFormat(value: string | undefined): OutputFormat {
  const v = value ?? 'text';
  if (v === 'text' || v === 'json' || v === 'markdown') return v;
  throw new BosunError(Codes.usage, `--output must be text, json or markdown, not "${v}"`);
}
