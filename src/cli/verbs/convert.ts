import type { Command } from 'commander';
import { collect, type Runner } from '../flags.ts';

export function convert(program: Command, run: Runner): void {
  program
    .command('convert')
    .description('print a compose stack (file or folder on disk) as the equivalent bosun/v1 manifests')
    .argument('<compose>', 'a compose file, or the folder holding compose.yaml')
    .option('--project <name>', "project name, as compose's -p")
    .option('--profile <name>', 'activate a compose profile; repeatable', collect, [])
    .option('--env-allow <var>', "let the stack read this variable of bosun's environment; repeatable", collect, [])
    .action(run(async () => (await import('../convert.ts')).convertCommand));
}
