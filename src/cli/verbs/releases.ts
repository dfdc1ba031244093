import type { Command } from 'commander';
import { output, type Runner, withCommon } from '../flags.ts';

const releasesModule = () => import('../releases.ts');

export function releases(program: Command, run: Runner): void {
  // positional: `releases show 1 -o json` gives -o to show, not to releases
  const list = withCommon(program.command('releases').description('list the releases of the project'))
    .enablePositionalOptions()
    .addOption(output(['text', 'json']))
    .action(run(async () => (await releasesModule()).releasesCommand));
  withCommon(list.command('show').description('print what release N applied').argument('<N>', 'release number'))
    .addOption(output(['text', 'json']))
    .action(
      run(async () => {
        const { releaseShowCommand } = await releasesModule();
        return (n: string, flags: object) => releaseShowCommand(n, { ...list.opts(), ...flags });
      }),
    );
}
