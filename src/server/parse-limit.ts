import { BosunError, Codes } from '../errors.ts';

/** A positive whole number for a limit flag, refused in one line otherwise. */
export function parseLimit(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new BosunError(Codes.config, `${flag} must be a positive integer, not "${value}"`);
  return n;
}
