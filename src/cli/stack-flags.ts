/** The flags of the `--all` forms (reconcile, validate, status, serve): stacks of a cluster repo. */
import type { Command } from 'commander';
import { BosunError, Codes } from '../errors.ts';
import { parseLimit } from '../server/options.ts';
import { DEFAULT_STACK_CONCURRENCY } from '../stacks/schedule.ts';
import { type CommonOptions, projectOverride } from './context.ts';

export interface StackFlags {
  all?: boolean;
  stacks?: string[];
  pruneStacks?: boolean;
  stackConcurrency?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** --all and --stacks (every verb that takes them); --prune-stacks and --stack-concurrency with `apply`. */
export function stackOptions(cmd: Command, apply: boolean): Command {
  cmd
    .option('--all', 'every stack of the repo: the folders --stacks matches, else those bosun-stacks.yaml lists')
    .option(
      '--stacks <glob>',
      "stack folders, relative to the repo root (or --path), e.g. 'stacks/*'; repeatable; implies --all",
      collect,
    );
  if (!apply) return cmd;
  return cmd
    .option('--prune-stacks', 'take down (as bosun down, volumes kept) the stacks whose folder left the repo')
    .option(
      '--stack-concurrency <n>',
      `stacks applied side by side (in dependency order) [default ${DEFAULT_STACK_CONCURRENCY}]`,
    );
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
