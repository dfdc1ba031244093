/** The flags of the `--all` forms (reconcile, validate, status, serve), read: stacks of a cluster repo (registered in flags.ts). */
import { BosunError, Codes } from '../errors.ts';
import { parseLimit } from '../server/parse-limit.ts';
import { DEFAULT_STACK_CONCURRENCY } from '../stacks/defaults.ts';
import { type CommonOptions, projectOverride } from './context.ts';

export interface StackFlags {
  all?: boolean;
  stacks?: string[];
  pruneStacks?: boolean;
  stackConcurrency?: string;
}

export function isAll(f: StackFlags): boolean {
  return Boolean(f.all) || (f.stacks?.length ?? 0) > 0;
}

/** --project names one project; with many stacks, each folder names its own. */
export function checkAllFlags(f: StackFlags & CommonOptions): void {
  if (projectOverride(f))
    throw new BosunError(Codes.usage, '--project cannot be given with --all or --stacks: each stack names its project');
}

export function stackConcurrency(f: StackFlags): number {
  return parseLimit('--stack-concurrency', f.stackConcurrency, DEFAULT_STACK_CONCURRENCY);
}
