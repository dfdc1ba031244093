import type { Command } from 'commander';
import { output, recording, type Runner, withCommon } from '../flags.ts';

export function down(program: Command, run: Runner): void {
  recording(
    withCommon(
      program
        .command('down')
        .description('take the stack away: its containers and networks (volumes, keys when asked); record a release'),
    ),
  )
    .option('--dry-run', 'print what would go and change nothing')
    .option('--volumes', 'remove the named volumes too (they hold data)')
    .option('--keys', 'delete the Config keys bosun wrote too')
    .option('--detailed-exitcode', 'exit 0 when nothing goes, 2 when something does (or would), 1 on error')
    .addOption(output(['text', 'json', 'markdown']))
    .action(run(async () => (await import('../down.ts')).downCommand));
}
