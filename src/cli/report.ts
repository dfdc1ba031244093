import { BosunError } from '../errors.ts';

/**
 * Errors reach the user as `error: <message>` with no stack trace; BOSUN_DEBUG=1 shows the
 * whole chain for bug reports.
 */
export function reportError(err: unknown): number {
  if (process.env.BOSUN_DEBUG) console.error(err);
  if (err instanceof BosunError) {
    process.stderr.write(`error: ${err.message}\n`);
    return 1;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n(unexpected: rerun with BOSUN_DEBUG=1 for details)\n`);
  return 1;
}
