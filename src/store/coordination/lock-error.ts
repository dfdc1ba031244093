import { BosunError, Codes } from '../../errors.ts';

/** The error for a lock still held when the wait is over; `value` is the holder's record, as stored. */
export function lockedError(key: string, value: string | undefined): BosunError {
  const { holder, since } = describeHolder(value);
  return new BosunError(Codes.locked, `another apply is running, held by ${holder} since ${since}`, {
    data: { key, holder, since },
  });
}

function describeHolder(value: string | undefined): { holder: string; since: string } {
  try {
    const parsed = JSON.parse(value ?? '') as { holder?: unknown; since?: unknown };
    return {
      holder: typeof parsed.holder === 'string' ? parsed.holder : 'an unknown holder',
      since: typeof parsed.since === 'string' ? parsed.since : 'an unknown time',
    };
  } catch {
    return { holder: 'an unknown holder', since: 'an unknown time' };
  }
}
