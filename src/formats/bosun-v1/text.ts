/**
 * Byte- and character-level checks on a manifest file, before any YAML is parsed: what is not
 * text cannot be pointed at by the parser, so these find the place themselves.
 */

/** The text, or the 1-based line holding the first invalid byte. */
export function decodeUtf8(bytes: Uint8Array): string | number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    return decoder.decode(bytes);
  } catch {
    // '\n' never occurs inside a multi-byte sequence, so decoding line by line finds the culprit
    let start = 0;
    for (let line = 1; ; line++) {
      const end = bytes.indexOf(0x0a, start);
      const chunk = bytes.subarray(start, end === -1 ? bytes.length : end);
      try {
        decoder.decode(chunk);
      } catch {
        return line;
      }
      if (end === -1) return 1;
      start = end + 1;
    }
  }
}

/**
 * Characters YAML 1.2 does not allow in a stream (outside its c-printable set): C0 controls
 * but tab, LF and CR; DEL; C1 controls but NEL; and the noncharacters U+FFFE and U+FFFF.
 * yaml lets them through into values, where a NUL truncates a C string in the engine and an
 * escape sequence repaints the terminal of whoever reads the plan.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this regex's job
const NOT_PRINTABLE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u0084\u0086-\u009f\ufffe\uffff]/;

export interface ControlCharacter {
  line: number;
  col: number;
  /** e.g. `U+0000` */
  codePoint: string;
}

/** The first character YAML forbids, with its 1-based position; undefined when there is none. */
export function controlCharacterAt(text: string): ControlCharacter | undefined {
  const match = NOT_PRINTABLE.exec(text);
  if (!match) return undefined;
  const offset = match.index;
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  const hex = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  return { line, col: offset - lineStart + 1, codePoint: `U+${hex}` };
}
