import type { Command } from 'commander';
import { output, type Runner, stackOptions, withCommon } from '../flags.ts';

export function status(program: Command, run: Runner): void {
  stackOptions(
    withCommon(program.command('status').description('release in force, pin, drift and pending git changes')),
    false,
  )
    .addOption(output(['text', 'json']))
    .action(run(async () => (await import('../status.ts')).statusCommand));
}
