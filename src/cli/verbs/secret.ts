import type { Command } from 'commander';
import type { Runner } from '../flags.ts';

const secretModule = () => import('../secret.ts');

export function secret(program: Command, run: Runner): void {
  const cmd = program.command('secret');
  cmd.description('encrypt Config values for the controller (age), make identities');
  cmd
    .command('encrypt')
    .description('encrypt a value (or stdin, with - or no value) into an age armored block for spec.data')
    .argument('[value]', 'the value; - or nothing reads stdin (kept byte for byte, trailing newline too)')
    .requiredOption(
      '-r, --recipient <recipient>',
      'recipient (the controller identity public key); repeatable',
      collect,
      [],
    )
    .option('--key <name>', 'print it as "<name>: |" with the block indented, to paste under spec.data')
    .action(run(async () => (await secretModule()).encryptCommand));
  cmd
    .command('keygen')
    .description('make an age identity; prints its recipient (public key)')
    .option('-o, --output <file>', 'write the identity there (mode 0600, never overwritten) instead of stdout')
    .action(run(async () => (await secretModule()).keygenCommand));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
