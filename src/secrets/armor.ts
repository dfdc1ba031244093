/**
 * What loading a repo asks of age without loading age-encryption (and the @noble ciphers under
 * it, ~10% of a `bosun validate`'s start-up): the checks that tell a sealed value from a plain
 * one, and the armor decoder, which only a repo holding armor needs. The format's loading is
 * synchronous, so the decoder is loaded before it: `armorReadyFor` is awaited where the files
 * are read (src/source/git.ts), and ./age.ts hands its decoder in whenever it is loaded.
 */
import { BosunError, Codes } from '../errors.ts';

export const ARMOR_BEGIN = '-----BEGIN AGE ENCRYPTED FILE-----';
/** The first line of every binary age file. */
const BINARY_MAGIC = 'age-encryption.org/';

/** Identities and the recipients they answer for (named when no identity matches). */
export interface AgeKeys {
  identities: readonly string[];
  recipients: readonly string[];
}

export const NO_AGE_KEYS: AgeKeys = { identities: [], recipients: [] };

const ARMOR_START = new RegExp(`^\\s*${ARMOR_BEGIN}`);

/** A value or file that claims to be age armor: decoding decides whether it really is. */
export function looksArmored(text: string): boolean {
  // asked of every string value of every Config: no copy of a large value
  return ARMOR_START.test(text);
}

export function looksBinaryAge(bytes: Uint8Array): boolean {
  return Buffer.from(bytes.subarray(0, BINARY_MAGIC.length)).toString('latin1') === BINARY_MAGIC;
}

type ArmorDecoder = (text: string) => Uint8Array;

let decoder: ArmorDecoder | undefined;

/** Called by ./age.ts when it loads: from then on armor decodes in this process. */
export function useArmorDecoder(decode: ArmorDecoder): void {
  decoder = decode;
}

/**
 * Loads the decoder when one of `files` holds an armor header (a value in a manifest or an
 * armored ageFile: every block that loading may decode is in some file of the artifact).
 */
export async function armorReadyFor(files: Iterable<Uint8Array>): Promise<void> {
  if (decoder !== undefined) return;
  for (const bytes of files) {
    if (Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).includes(ARMOR_BEGIN)) {
      // set here, not only by age.ts itself: under the test runner a dynamic import can load a
      // second copy of age.ts, whose own registration reaches a second copy of this module
      decoder = (await import('./age.ts')).decodeArmor;
      return;
    }
  }
}

/**
 * The armor decoder for a block `looksArmored` accepted. Its absence is bosun's fault, not the
 * repo's (an artifact loaded without passing `armorReadyFor`), so it is not a manifest issue.
 */
export function armorDecoder(): ArmorDecoder {
  if (decoder === undefined) {
    throw new BosunError(
      Codes.internal,
      'age armor found but the age decoder was not loaded: the artifact did not pass armorReadyFor (src/secrets/armor.ts)',
    );
  }
  return decoder;
}
