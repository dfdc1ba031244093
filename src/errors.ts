/**
 * One error type for the whole pipeline. `code` is stable (scripts and tests match on it);
 * its disposition, fixed by the code table (error-codes.ts), tells a controller loop what to do next
 * instead of making it parse messages. A code means one kind of failure, so the same code can
 * never call for a retry at one throw site and for a person at another.
 */
import { Codes, type Code, CODE_TABLE, type Disposition } from './error-codes.ts';

export * from './error-codes.ts';

export class BosunError extends Error {
  readonly code: Code;
  readonly disposition: Disposition;
  readonly data: Record<string, unknown>;

  constructor(code: Code, message: string, opts: { data?: Record<string, unknown>; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BosunError';
    this.code = code;
    this.disposition = CODE_TABLE[code].disposition;
    this.data = opts.data ?? {};
  }
}

/** Anything thrown, as a BosunError: one bosun did not anticipate becomes E_UNEXPECTED. */
export function asBosunError(err: unknown): BosunError {
  if (err instanceof BosunError) return err;
  const message = typeof (err as { message?: unknown })?.message === 'string' ? (err as Error).message : String(err);
  return new BosunError(Codes.unexpected, message, { cause: err });
}

/** A problem in one manifest, pinned to where the user must look. */
export interface ManifestIssue {
  file: string;
  line: number;
  col: number;
  /** dotted path inside the document, e.g. `spec.replicas` or `spec.ports[0].host` */
  path: string;
  message: string;
}

export function formatIssue(i: ManifestIssue): string {
  const where = `${i.file}:${i.line}:${i.col}`;
  return i.path ? `${where} ${i.path}: ${i.message}` : `${where} ${i.message}`;
}

/** Every problem in the repo at once: nothing is applied while one of them stands. */
export class ManifestError extends BosunError {
  readonly issues: ManifestIssue[];

  /** `noun` (singular) and `code` for problems judged against something else than the schema (the host policy) */
  constructor(issues: ManifestIssue[], opts: { code?: Code; noun?: string } = {}) {
    const noun = `${opts.noun ?? 'manifest error'}${issues.length === 1 ? '' : 's'}`;
    super(opts.code ?? Codes.manifestInvalid, `${issues.length} ${noun}:\n${issues.map(formatIssue).join('\n')}`, {
      data: { issues },
    });
    this.name = 'ManifestError';
    this.issues = issues;
  }
}
