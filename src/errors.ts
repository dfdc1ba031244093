/**
 * One error type for the whole pipeline. `code` is stable (scripts and tests match on it);
 * `disposition` tells a controller loop what to do next instead of making it parse messages.
 */
export type Disposition =
  | 'stalled' // the user must fix the repo or the command: retrying will not help
  | 'retry' // engine, store or git unreachable: back off and try again
  | 'busy'; // another apply holds the lock

export class BosunError extends Error {
  readonly code: string;
  readonly disposition: Disposition;
  readonly data: Record<string, unknown>;

  constructor(
    code: string,
    message: string,
    opts: { disposition?: Disposition; data?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'BosunError';
    this.code = code;
    this.disposition = opts.disposition ?? 'stalled';
    this.data = opts.data ?? {};
  }
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

  constructor(issues: ManifestIssue[]) {
    const noun = issues.length === 1 ? 'error' : 'errors';
    super('E_MANIFEST_INVALID', `${issues.length} manifest ${noun}:\n${issues.map(formatIssue).join('\n')}`, {
      disposition: 'stalled',
      data: { issues },
    });
    this.name = 'ManifestError';
    this.issues = issues;
  }
}

/** Stable codes, so nobody invents a near-duplicate string. */
export const Codes = {
  manifestInvalid: 'E_MANIFEST_INVALID',
  gitFetch: 'E_GIT_FETCH',
  gitRef: 'E_GIT_REF',
  gitPath: 'E_GIT_PATH',
  dockerUnreachable: 'E_DOCKER_UNREACHABLE',
  dockerApi: 'E_DOCKER_API',
  imageMissing: 'E_IMAGE_MISSING',
  containerFailed: 'E_CONTAINER_FAILED',
  storeUnreachable: 'E_STORE_UNREACHABLE',
  storeUrl: 'E_STORE_URL',
  storeConflict: 'E_STORE_CONFLICT',
  releaseNotFound: 'E_RELEASE_NOT_FOUND',
  usage: 'E_USAGE',
  locked: 'E_LOCKED',
  planStale: 'E_PLAN_STALE',
  rolledBack: 'E_ROLLED_BACK',
  paused: 'E_ROLLOUT_PAUSED',
  dependencyFailed: 'E_DEPENDENCY_FAILED',
  webhook: 'E_WEBHOOK',
  config: 'E_CONFIG',
} as const;
