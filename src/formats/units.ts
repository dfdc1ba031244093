/**
 * Durations and byte quantities as the user writes them → the numbers the model holds.
 * Inputs have already passed the schema patterns; the parsers still refuse anything else,
 * so a schema/code mismatch fails loudly instead of producing NaN.
 */
import { BosunError, Codes } from '../errors.ts';

const DURATION_UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** Longest duration accepted: Node timers overflow above 2^31-1 ms and fire at once. */
export const MAX_DURATION_MS = 2_147_483_647;

/** `500ms`, `2s`, `1m30s`, `1h` → milliseconds. */
export function parseDuration(text: string): number {
  if (!/^([0-9]+(ms|s|m|h))+$/.test(text)) throw new BosunError(Codes.internal, `invalid duration "${text}"`);
  let total = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+)(ms|s|m|h)/g)) {
    total += Number(amount) * DURATION_UNIT_MS[unit as keyof typeof DURATION_UNIT_MS];
  }
  return total;
}

const BYTE_UNITS: Record<string, number> = {
  '': 1,
  K: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Bytes as an integer, or `256Mi` / `1Gi` (powers of 1024) / `512M` (powers of 1000) → bytes. */
export function parseMemory(value: number | string): number {
  if (typeof value === 'number') return value;
  const m = /^([0-9]+(?:\.[0-9]+)?)(Ki|Mi|Gi|Ti|K|M|G|T)?$/.exec(value);
  if (!m) throw new BosunError(Codes.internal, `invalid memory quantity "${value}"`);
  return Math.floor(Number(m[1]) * BYTE_UNITS[m[2] ?? '']!);
}
