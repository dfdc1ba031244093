/**
 * `bosun secret encrypt` and `bosun secret keygen`: the operator's side of age values, so
 * a secret can be committed without the age CLI. Neither touches a repo, an engine or a store.
 */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { BosunError, Codes } from '../errors.ts';
import { checkRecipient, encryptArmored, newIdentityFile } from '../secrets/age.ts';

// biome-ignore lint/suspicious/noExplicitAny: commander passes (args..., options, command)
type Run = (fn: (...args: any[]) => Promise<number>) => (...args: unknown[]) => Promise<void>;

export function defineSecret(cmd: Command, run: Run): void {
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
    .action(run(encryptCommand));
  cmd
    .command('keygen')
    .description('make an age identity; prints its recipient (public key)')
    .option('-o, --output <file>', 'write the identity there (mode 0600, never overwritten) instead of stdout')
    .action(run(keygenCommand));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export async function encryptCommand(
  value: string | undefined,
  flags: { recipient: string[]; key?: string },
): Promise<number> {
  if (flags.recipient.length === 0) throw new BosunError(Codes.usage, 'give at least one --recipient age1...');
  for (const r of flags.recipient) {
    try {
      checkRecipient(r);
    } catch (err) {
      throw new BosunError(Codes.usage, `--recipient ${(err as Error).message}`);
    }
  }
  const plain = value === undefined || value === '-' ? await readStdin() : Buffer.from(value, 'utf8');
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new BosunError(Codes.usage, 'the value is not UTF-8 text (Config values are text)');
  }
  const armored = await encryptArmored(plain, flags.recipient);
  process.stdout.write(flags.key === undefined ? armored : asYaml(flags.key, armored));
  return 0;
}

/** `KEY: |` and the block indented under it; the armor has no character YAML would read otherwise. */
function asYaml(key: string, armored: string): string {
  const lines = armored.trimEnd().split('\n');
  return `${key}: |\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

export async function keygenCommand(flags: { output?: string }): Promise<number> {
  const { text, recipient } = await newIdentityFile(new Date());
  if (flags.output === undefined) {
    process.stdout.write(text);
    process.stderr.write(`public key: ${recipient}\n`);
    return 0;
  }
  try {
    // wx: an existing identity is never replaced (the values encrypted for it would be lost)
    await fs.writeFile(flags.output, text, { flag: 'wx', mode: 0o600 });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'EEXIST' ? 'it already exists (an identity is never overwritten)' : String(code ?? err);
    throw new BosunError(Codes.usage, `cannot write ${flags.output}: ${why}`);
  }
  process.stdout.write(`${recipient}\n`);
  process.stderr.write(`wrote the identity to ${flags.output}; its public key is on stdout\n`);
  return 0;
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
