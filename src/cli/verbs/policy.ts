import type { Command } from 'commander';
import { output, type Runner, withCommon } from '../flags.ts';

export function policy(program: Command, run: Runner): void {
  const cmd = program.command('policy').description('the host policy: what repos may ask of this host');
  withCommon(
    cmd
      .command('check')
      .description('print the host policy in force; with --repo or --path, check that repo against it'),
  )
    .addOption(output(['yaml', 'json']).default('yaml'))
    .action(run(async () => (await import('../policy.ts')).policyCheckCommand));
}
