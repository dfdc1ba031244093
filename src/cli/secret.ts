/**
 * `bosun secret encrypt` and `bosun secret keygen`: the operator's side of age values, so
 * a secret can be committed without the age CLI. Neither touches a repo, an engine or a store.
 */
import fs from 'node:fs/promises';
import { BosunError, Codes } from '../errors.ts';
import { checkRecipient, encryptArmored, newIdentityFile } from '../secrets/age.ts';

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
