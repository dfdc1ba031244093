/**
 * age (age-encryption.org) for Config values: armor decoding, and encryption and decryption with
 * identities the caller passes in. Loaded only where age is used (./armor.ts holds what every
 * load asks). Nothing here reads a file or the environment: ./host.ts does, for the CLI and the server.
 */
import { armor, Decrypter, Encrypter, generateIdentity, identityToRecipient } from 'age-encryption';
import { type AgeKeys, useArmorDecoder } from './armor.ts';

export { type AgeKeys, ARMOR_BEGIN, looksArmored, looksBinaryAge, NO_AGE_KEYS } from './armor.ts';

/** The binary age file inside an armored block; throws a short reason when the armor is broken. */
export function decodeArmor(text: string): Uint8Array {
  try {
    return armor.decode(text);
  } catch (err) {
    throw new Error(`invalid armor (${reason(err)})`);
  }
}

// whoever loads this module (to decrypt, encrypt, or decode armor) lets loading decode armor too
useArmorDecoder(decodeArmor);

/**
 * The plaintext of a binary age file, as UTF-8 text (Config values are text). Throws with the
 * reason after "cannot decrypt age value: ", naming the recipients tried when none matches.
 */
export async function decryptText(file: Uint8Array, keys: AgeKeys): Promise<string> {
  if (keys.identities.length === 0) throw new Error('no age identity given (--age-identity or BOSUN_AGE_IDENTITY)');
  const d = new Decrypter();
  for (const identity of keys.identities) d.addIdentity(identity);
  let plain: Uint8Array;
  try {
    plain = await d.decrypt(file);
  } catch (err) {
    const text = reason(err);
    if (!/no identity matched/.test(text)) throw new Error(`corrupt or altered ciphertext (${text})`);
    throw new Error(`no identity matches (the controller's identity is for ${keys.recipients.join(', ')})`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(plain);
  } catch {
    throw new Error('the decrypted value is not UTF-8 text');
  }
}

/** `text` encrypted to every recipient, armored: a block to paste into a manifest. */
export async function encryptArmored(text: string | Uint8Array, recipients: readonly string[]): Promise<string> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return armor.encode(await e.encrypt(text));
}

/**
 * The identities of an identity file as age-keygen writes it: one `AGE-SECRET-KEY-…` per line,
 * `#` comments and blank lines ignored. Throws naming the first line that is not an identity.
 */
export async function parseIdentities(text: string): Promise<AgeKeys> {
  const identities: string[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    // the key itself never goes into a message
    if (!line.startsWith('AGE-SECRET-KEY-')) throw new Error(`line ${i + 1} is not an age identity (AGE-SECRET-KEY-…)`);
    try {
      new Decrypter().addIdentity(line);
    } catch {
      // the library's reason may quote characters of the key
      throw new Error(`line ${i + 1} is not a valid age identity`);
    }
    identities.push(line);
  }
  if (identities.length === 0) throw new Error('it holds no age identity');
  return { identities, recipients: await Promise.all(identities.map((id) => identityToRecipient(id))) };
}

/** A new X25519 identity, as the text of an identity file, and its recipient. */
export async function newIdentityFile(now: Date): Promise<{ text: string; recipient: string }> {
  const identity = await generateIdentity();
  const recipient = await identityToRecipient(identity);
  const text = `# created: ${now.toISOString()}\n# public key: ${recipient}\n${identity}\n`;
  return { text, recipient };
}

/** Checks a recipient string; throws a short reason. */
export function checkRecipient(recipient: string): void {
  try {
    new Encrypter().addRecipient(recipient);
  } catch (err) {
    throw new Error(`"${recipient}" is not an age recipient (age1…): ${reason(err)}`);
  }
}

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
