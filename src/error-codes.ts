/**
 * The code table of src/errors.ts: every stable code and its disposition, the answer to "what
 * should a loop do after this failure". Imported through errors.ts.
 */
export type Disposition =
  | 'stalled' // the user must fix the repo or the command: retrying will not help
  | 'retry' // may pass by itself (engine, store or git unreachable, a lost race): back off and try again
  | 'busy'; // another apply holds the lock

/** Stable codes, so nobody invents a near-duplicate string. */
export const Codes = {
  manifestInvalid: 'E_MANIFEST_INVALID',
  gitFetch: 'E_GIT_FETCH',
  gitUnreachable: 'E_GIT_UNREACHABLE',
  gitRef: 'E_GIT_REF',
  gitPath: 'E_GIT_PATH',
  gitTooLarge: 'E_GIT_TOO_LARGE',
  gitForcePush: 'E_GIT_FORCE_PUSH',
  projectBound: 'E_PROJECT_BOUND',
  dockerUnreachable: 'E_DOCKER_UNREACHABLE',
  dockerApi: 'E_DOCKER_API',
  dockerHost: 'E_DOCKER_HOST',
  dockerTls: 'E_DOCKER_TLS',
  dockerSsh: 'E_DOCKER_SSH',
  imageMissing: 'E_IMAGE_MISSING',
  externalMissing: 'E_EXTERNAL_MISSING',
  buildFailed: 'E_BUILD_FAILED',
  buildContext: 'E_BUILD_CONTEXT',
  containerFailed: 'E_CONTAINER_FAILED',
  storeUnreachable: 'E_STORE_UNREACHABLE',
  storeOpen: 'E_STORE_OPEN',
  storeUrl: 'E_STORE_URL',
  storeTls: 'E_STORE_TLS',
  storeAuth: 'E_STORE_AUTH',
  storeConflict: 'E_STORE_CONFLICT',
  storeCorrupt: 'E_STORE_CORRUPT',
  releaseNotFound: 'E_RELEASE_NOT_FOUND',
  releasePruned: 'E_RELEASE_PRUNED',
  inUse: 'E_IN_USE',
  composeOwned: 'E_COMPOSE_OWNED',
  keyForeign: 'E_KEY_FOREIGN',
  emptyRefused: 'E_EMPTY_REFUSED',
  usage: 'E_USAGE',
  locked: 'E_LOCKED',
  lockLost: 'E_LOCK_LOST',
  interrupted: 'E_INTERRUPTED',
  planStale: 'E_PLAN_STALE',
  planMismatch: 'E_PLAN_MISMATCH',
  rolledBack: 'E_ROLLED_BACK',
  paused: 'E_ROLLOUT_PAUSED',
  config: 'E_CONFIG',
  haproxy: 'E_HAPROXY',
  stateKey: 'E_STATE_KEY',
  recordTampered: 'E_RECORD_TAMPERED',
  recordInvalid: 'E_RECORD_INVALID',
  secretInEnv: 'E_SECRET_IN_ENV',
  secretSource: 'E_SECRET_SOURCE',
  policyDenied: 'E_POLICY_DENIED',
  policyInvalid: 'E_POLICY_INVALID',
  commitUnsigned: 'E_COMMIT_UNSIGNED',
  commitUntrusted: 'E_COMMIT_UNTRUSTED',
  commitSignatureInvalid: 'E_COMMIT_SIGNATURE_INVALID',
  internal: 'E_INTERNAL',
  unexpected: 'E_UNEXPECTED',
} as const;

export type Code = (typeof Codes)[keyof typeof Codes];

/** Typed by Code both ways: a code missing here, or one here but not in Codes, does not compile. */
export const CODE_TABLE: Readonly<Record<Code, { disposition: Disposition; meaning: string }>> = {
  E_MANIFEST_INVALID: { disposition: 'stalled', meaning: 'the manifests in the repo are invalid' },
  E_GIT_FETCH: {
    disposition: 'stalled',
    meaning: 'the repo cannot be read: bad URL or path, refused credentials, not a git repository',
  },
  E_GIT_UNREACHABLE: {
    disposition: 'retry',
    meaning: 'the git server did not answer, or answered with a temporary failure (5xx, 408, 429)',
  },
  E_GIT_REF: { disposition: 'stalled', meaning: 'the ref is invalid, ambiguous or not in the repo' },
  E_GIT_PATH: { disposition: 'stalled', meaning: 'the path is outside the repo or missing at that commit' },
  E_GIT_TOO_LARGE: { disposition: 'stalled', meaning: 'the fetch or an object in it is larger than bosun reads' },
  E_GIT_FORCE_PUSH: {
    disposition: 'stalled',
    meaning: 'the deployed ref moved to a revision that does not contain the last one (refused by option)',
  },
  E_PROJECT_BOUND: {
    disposition: 'stalled',
    meaning: 'the project is bound to another repo and path; --take-over-project hands it over',
  },
  E_DOCKER_UNREACHABLE: { disposition: 'retry', meaning: 'the Docker engine did not answer' },
  E_DOCKER_API: { disposition: 'stalled', meaning: 'the Docker engine refused a request' },
  E_DOCKER_HOST: { disposition: 'stalled', meaning: 'DOCKER_HOST (or --docker-host) names no engine bosun can use' },
  E_DOCKER_SSH: {
    disposition: 'stalled',
    meaning: 'ssh to the Docker host failed: key or host key refused, or no docker on the remote side',
  },
  E_DOCKER_TLS: {
    disposition: 'stalled',
    meaning: 'TLS to the Docker engine failed: a certificate file is missing or bad, or a side refused the other',
  },
  E_IMAGE_MISSING: { disposition: 'stalled', meaning: 'an image is not present and could not be pulled' },
  E_EXTERNAL_MISSING: {
    disposition: 'stalled',
    meaning: 'a network or volume declared external (made outside bosun) does not exist on the engine',
  },
  E_BUILD_FAILED: {
    disposition: 'stalled',
    meaning: "the engine's builder refused the Dockerfile or a step of it failed",
  },
  E_BUILD_CONTEXT: {
    disposition: 'stalled',
    meaning: 'the build context of a revision cannot be had (no repo to fetch it from, or it differs from the plan)',
  },
  E_CONTAINER_FAILED: { disposition: 'stalled', meaning: 'a new container exited or turned unhealthy' },
  E_STORE_UNREACHABLE: {
    disposition: 'retry',
    meaning: 'the state store did not answer, or a lease on it may have expired',
  },
  E_STORE_OPEN: { disposition: 'stalled', meaning: 'the state file cannot be opened (path, permissions)' },
  E_STORE_URL: { disposition: 'stalled', meaning: 'the state url is not understood' },
  E_STORE_TLS: {
    disposition: 'stalled',
    meaning:
      'TLS to etcd failed: a certificate file is unreadable or invalid, the server is not trusted, or it refused the client certificate',
  },
  E_STORE_AUTH: {
    disposition: 'stalled',
    meaning: 'etcd refused the user: no or wrong user name or password, or no permission on a key',
  },
  E_STORE_CONFLICT: { disposition: 'retry', meaning: 'a concurrent write won the compare-and-set' },
  E_STORE_CORRUPT: { disposition: 'stalled', meaning: 'a record in the state store cannot be parsed' },
  E_RELEASE_NOT_FOUND: { disposition: 'stalled', meaning: 'no release with that number' },
  E_RELEASE_PRUNED: {
    disposition: 'stalled',
    meaning: 'the release was pruned from the history (historyLimit)',
  },
  E_IN_USE: {
    disposition: 'stalled',
    meaning: 'bosun down was refused: something bosun does not own uses what it would remove',
  },
  E_COMPOSE_OWNED: {
    disposition: 'stalled',
    meaning:
      'containers docker compose started for the project hold it: hand them over first (the error names the command)',
  },
  E_KEY_FOREIGN: {
    disposition: 'stalled',
    meaning: 'a Config would overwrite a key bosun did not write for the project (spec.adopt: true takes it over)',
  },
  E_COMMIT_UNSIGNED: {
    disposition: 'stalled',
    meaning: 'the host policy requires signed commits (git.verify) and the commit at the ref is not signed',
  },
  E_COMMIT_UNTRUSTED: {
    disposition: 'stalled',
    meaning: 'the commit at the ref is signed by a key the host policy (git.verify) does not list',
  },
  E_COMMIT_SIGNATURE_INVALID: {
    disposition: 'stalled',
    meaning: "the commit's signature does not verify (tampered, or an unsupported format)",
  },
  E_EMPTY_REFUSED: {
    disposition: 'stalled',
    meaning: 'a revision declares no services while the project has some (Project spec.allowEmpty: true allows it)',
  },
  E_USAGE: { disposition: 'stalled', meaning: 'the command or its arguments are wrong' },
  E_LOCKED: { disposition: 'busy', meaning: 'another process holds the apply lock' },
  E_LOCK_LOST: { disposition: 'retry', meaning: 'the apply lock was lost while applying' },
  E_INTERRUPTED: { disposition: 'retry', meaning: 'the process applying a release stopped before it finished' },
  E_PLAN_STALE: { disposition: 'stalled', meaning: 'a saved plan no longer matches the repo or the host' },
  E_PLAN_MISMATCH: {
    disposition: 'stalled',
    meaning: 'a saved plan says something git does not: another repo or ref, or a desired state edited in the file',
  },
  E_ROLLED_BACK: { disposition: 'stalled', meaning: 'the rollout failed and the previous release was restored' },
  E_ROLLOUT_PAUSED: {
    disposition: 'stalled',
    meaning: 'the rollout failed and was left as it is (failureAction pause)',
  },
  E_CONFIG: { disposition: 'stalled', meaning: 'the server configuration is wrong' },
  E_HAPROXY: {
    disposition: 'stalled',
    meaning: 'bosun proxy: haproxy is missing, refused the rendered configuration, or did not start or reload',
  },
  E_STATE_KEY: {
    disposition: 'stalled',
    meaning: 'the state key file is missing, malformed or readable by others than its owner',
  },
  E_RECORD_TAMPERED: {
    disposition: 'stalled',
    meaning: 'a record in the state store fails its authentication check (forged, unsigned or another key)',
  },
  E_RECORD_INVALID: {
    disposition: 'stalled',
    meaning: 'the desired state inside an authenticated record is not one bosun can run',
  },
  E_SECRET_IN_ENV: {
    disposition: 'stalled',
    meaning: 'a secret Config would reach a container as environment variables, which docker inspect shows',
  },
  E_SECRET_SOURCE: {
    disposition: 'stalled',
    meaning: "the controller's age identity file or secrets dir cannot be used",
  },
  E_POLICY_DENIED: {
    disposition: 'stalled',
    meaning:
      'the desired state asks for something the host policy does not allow (a host path, image, key prefix, limit or project name)',
  },
  E_POLICY_INVALID: { disposition: 'stalled', meaning: 'the host policy file cannot be read or is invalid' },
  E_INTERNAL: { disposition: 'stalled', meaning: 'an invariant of bosun itself was broken: a bug' },
  E_UNEXPECTED: { disposition: 'retry', meaning: 'an error bosun did not anticipate' },
};

/** The disposition of a code, or undefined for a string that is not one (e.g. from an old record). */
export function dispositionOf(code: string): Disposition | undefined {
  return Object.hasOwn(CODE_TABLE, code) ? CODE_TABLE[code as Code].disposition : undefined;
}

/** Failures that may pass by themselves: they say nothing about the revision being applied. */
export function isTransient(code: string): boolean {
  const d = dispositionOf(code);
  return d === 'retry' || d === 'busy';
}
