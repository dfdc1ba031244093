/**
 * compose's value syntaxes: Go durations (`1m30s`, `1.5s`, `500ms`), the engine's byte units
 * (binary: `1.5g` = 1.5 GiB, as docker's RAMInBytes reads them), and shell words for string
 * commands (as compose splits them: quotes and backslashes, never a shell).
 */

const NS_PER = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 } as const;

/** undefined when not a Go duration; rounded down to whole milliseconds (bosun's unit). */
export function composeDurationMs(v: unknown): number | undefined {
  if (typeof v === 'number') return undefined;
  const text = String(v);
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return text === '0' ? 0 : undefined;
  let ns = 0;
  for (const [, amount, , unit] of text.matchAll(/([0-9]+(\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/g)) {
    ns += Number(amount) * NS_PER[unit as keyof typeof NS_PER];
  }
  return Math.floor(ns / 1e6);
}

const BYTE_UNIT: Record<string, number> = { '': 1, b: 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };

/** `1.5G`, `512m`, `64mb`, `1024` → bytes; undefined when not a byte quantity. */
export function composeBytes(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  const m = /^([0-9]+(?:\.[0-9]+)?)\s*([kmgtp]?)(i?b)?$/i.exec(String(v).trim());
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * BYTE_UNIT[m[2]!.toLowerCase()]!);
}

/**
 * A string command → its words, as compose's shellwords does: blanks separate, '…' is literal,
 * "…" keeps blanks and lets \ escape " \ $ `, a bare \ escapes the next character.
 * undefined when a quote is left open.
 */
export function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word = '';
  let started = false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote === "'") {
      if (c === "'") quote = undefined;
      else word += c;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
      else if (c === '\\' && i + 1 < text.length && '"\\$`'.includes(text[i + 1]!)) word += text[++i];
      else word += c;
    } else if (c === "'" || c === '"') {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < text.length) {
      word += text[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(word);
      word = '';
      started = false;
    } else {
      word += c;
      started = true;
    }
  }
  if (quote) return undefined;
  if (started) words.push(word);
  return words;
}
