/**
 * The `--all` / `--stacks GLOB` forms of reconcile, validate and status: a cluster repo's stacks,
 * each a project, from one fetch. Every stack's outcome is one row of a summary table; the exit
 * code is 1 when any stack failed.
 */
import { renderPlan, outputFormat, printer } from './reconcile.ts';
import type { Plan } from '../model/plan.ts';
import type { Pin } from '../release/pin.ts';
import type { ClusterStack } from '../stacks/cluster.ts';
import { reconcileAll, type StackRun } from '../stacks/reconcile-all.ts';
import { fetchArtifact } from '../source/git.ts';
import { normalizePath } from '../source/git.ts';
import { type CommonOptions, sourceOptions, withSessions } from './context.ts';
import { checkAllFlags, stackConcurrency, type StackFlags } from './stack-flags.ts';

/** `bosun reconcile --all`: every stack planned (and applied unless --dry-run), then the summary table. */
export async function reconcileAllCommand(
  flags: StackFlags & CommonOptions & { dryRun?: boolean; detailedExitcode?: boolean },
): Promise<number> {
  checkAllFlags(flags);
  const format = outputFormat(flags.output);
  const p = printer(format);
  const source = sourceOptions(flags);
  const plans = new Map<string, Plan>();
  const onPlan = (s: ClusterStack, plan: Plan, pin?: Pin) => {
    if (format === 'json') return void plans.set(s.path, plan);
    const pinned = pin ? `: pinned at release ${pin.release}, nothing applied` : '';
    p.out(`── ${s.path} (project ${plan.project})${pinned}\n${renderPlan(plan, format)}`);
  };
  const result = await withSessions(flags, (make, kv, sealer) =>
    reconcileAll({
      dryRun: Boolean(flags.dryRun),
      globs: flags.stacks ?? [],
      concurrency: stackConcurrency(flags),
      prune: Boolean(flags.pruneStacks),
      fetchRoot: () => fetchArtifact(source),
      sessionFor: (path) =>
        make({
          source: { ...source, path: joinPath(source.path, path) },
          projectOverride: undefined,
          progress: (line, op, ms) => p.progress(`[${path}] ${line}`, op, ms),
          notice: (line) => p.notice(`[${path}] ${line}`),
        }),
      kv,
      sealer,
      onPlan,
    }),
  );
  if (format === 'json') {
    const stacks = result.runs.map((r) => ({ ...r, plan: plans.get(r.path) }));
    p.out(`${JSON.stringify({ revision: result.revision, stacks }, null, 2)}\n`);
  }
  p.progress(`\n${summaryTable(result.revision, result.runs)}`);
  if (result.runs.some((r) => r.result === 'failed')) return 1;
  const changed = result.runs.some((r) => r.changes > 0);
  return flags.detailedExitcode && changed ? 2 : 0;
}

export function joinPath(root: string | undefined, stack: string): string {
  const base = normalizePath(root);
  return base ? `${base}/${stack}` : stack;
}

/** One row per stack: what happened to it and, for a failure, the first line of why. */
export function summaryTable(revision: string, runs: readonly StackRun[]): string {
  const rows = runs.map((r) => [
    r.path,
    r.project ?? '-',
    r.result,
    r.release === undefined ? '-' : String(r.release),
    String(r.changes),
    r.error ? `${r.error.code}: ${r.error.message.split('\n').slice(0, 2).join(' ')}` : (r.reason ?? ''),
  ]);
  const head = ['STACK', 'PROJECT', 'RESULT', 'RELEASE', 'CHANGES', 'DETAIL'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  const failed = runs.filter((r) => r.result === 'failed').length;
  const title = `${runs.length} stack(s) at ${revision.slice(0, 12)}${failed ? `, ${failed} failed` : ''}`;
  return [title, line(head), ...rows.map(line), ''].join('\n');
}
