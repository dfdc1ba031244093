/** apply, rollback and resume: the verbs of src/cli/lifecycle.ts. */
import type { Command } from 'commander';
import { ADOPT_COMPOSE, recording, type Runner, TAKE_OVER_PROJECT, withCommon } from '../flags.ts';

const lifecycle = () => import('../lifecycle.ts');

export function apply(program: Command, run: Runner): void {
  recording(
    withCommon(
      program
        .command('apply')
        .description('apply a plan saved by reconcile --out; refused if anything changed since')
        .argument('<file>'),
    ),
  )
    .option('--take-over-project <name>', TAKE_OVER_PROJECT)
    .option('--adopt-compose', ADOPT_COMPOSE)
    .action(run(async () => (await lifecycle()).applyCommand));
}

export function rollback(program: Command, run: Runner): void {
  recording(
    withCommon(
      program
        .command('rollback')
        .description('re-apply release N as a new release and pin the stack there')
        .argument('<N>'),
    ),
  ).action(run(async () => (await lifecycle()).rollbackCommand));
}

export function resume(program: Command, run: Runner): void {
  recording(withCommon(program.command('resume').description('unpin and converge to git again'))).action(
    run(async () => (await lifecycle()).resumeCommand),
  );
}
