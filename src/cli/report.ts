import { asBosunError, Codes } from '../errors.ts';

/**
 * Errors reach the user as `error: <message>` with no stack trace; BOSUN_DEBUG=1 shows the
 * whole chain for bug reports.
 */
export function reportError(err: unknown): number {
  if (process.env.BOSUN_DEBUG) console.error(err);
  const e = asBosunError(err);
  // only an error nobody anticipated is worth the details of a bug report
  const hint = e.code === Codes.unexpected ? '\n(unexpected: rerun with BOSUN_DEBUG=1 for details)' : '';
  process.stderr.write(`error: ${e.message}${hint}\n`);
  return 1;
}
