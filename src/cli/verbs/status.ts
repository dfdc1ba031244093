import type { Command } from 'commander';
import { output, type Runner, withCommon } from '../flags.ts';

export function status(program: Command, run: Runner): void {
  withCommon(program.command('status').description('release in force, pin, drift and pending git changes'))
    .addOption(output(['text', 'json']))
    .action(run(async () => (await import('../status.ts')).statusCommand));
}
