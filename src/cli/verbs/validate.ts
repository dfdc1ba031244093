import type { Command } from 'commander';
import { output, type Runner, stackOptions, withCommon } from '../flags.ts';

export function validate(program: Command, run: Runner): void {
  stackOptions(
    withCommon(program.command('validate').description('check every manifest at the ref; change nothing')),
    false,
  )
    .addOption(output(['text', 'json']))
    .action(run(async () => (await import('../validate.ts')).validateCommand));
}
