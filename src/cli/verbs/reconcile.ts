import type { Command } from 'commander';
import {
  output,
  REFUSE_FORCE_PUSH,
  recording,
  type Runner,
  stackOptions,
  TAKE_OVER_PROJECT,
  withCommon,
  ADOPT_COMPOSE,
} from '../flags.ts';

export function reconcile(program: Command, run: Runner): void {
  stackOptions(
    recording(
      withCommon(
        program.command('reconcile').description('converge the engine (and keys) to the repo; record a release'),
      ),
    ),
    true,
  )
    .option('--dry-run', 'print the plan and write nothing')
    .option('--detailed-exitcode', 'exit 0 when nothing changes, 2 when something does (or would), 1 on error')
    .option('--out <file>', 'save the plan, to apply exactly it later with: bosun apply <file>')
    .option('--refuse-force-push', REFUSE_FORCE_PUSH)
    .option('--take-over-project <name>', TAKE_OVER_PROJECT)
    .option('--adopt-compose', ADOPT_COMPOSE)
    .addOption(output(['text', 'json', 'markdown']))
    .action(run(async () => (await import('../reconcile.ts')).reconcileCommand));
}
