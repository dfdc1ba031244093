/**
 * What every verb shares: its options read, and the session, store and sealer it opens. The
 * back end (dockerode) and the session are imported where they are opened, so a verb that opens
 * neither (validate, convert, policy) never loads them. (Only CLI verbs open them, in their own
 * process: a dynamic import of a src module can load a second copy under the test runner.)
 */
import { drainerFor } from '../coord/drain.ts';
import os from 'node:os';
import path from 'node:path';
import type { Backend } from '../backends/backend.ts';
import type { DockerConnectOptions } from '../backends/docker/host.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Session, SessionOptions } from '../session/session.ts';
import { type LoadOptions, projectNameOf } from '../formats/index.ts';
import { fetchArtifact } from '../source/git.ts';
import type { GitSourceOptions, KvStore } from '../ports.ts';
import { parseHistoryLimit } from '../release/retention.ts';
import { hostSecrets } from '../secrets/host.ts';
import type { SecretSources } from '../secrets/resolve.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { takeoverByPolicy } from '../policy/takeover.ts';
import { hostPolicy } from './policy.ts';

/** Options every verb shares; each flag has an environment variable of the same meaning. */
export interface CommonOptions {
  repo?: string;
  ref?: string;
  path?: string;
  project?: string;
  state?: string;
  stateKeyFile?: string;
  etcdCacert?: string;
  etcdCert?: string;
  etcdKey?: string;
  etcdUser?: string;
  etcdPasswordFile?: string;
  dockerHost?: string;
  /** docker or swarm */
  backend?: string;
  /** false with --no-swarm-mesh */
  swarmMesh?: boolean;
  dockerTls?: boolean;
  dockerTlsverify?: boolean;
  dockerTlscacert?: string;
  dockerTlscert?: string;
  dockerTlskey?: string;
  cacheDir?: string;
  output?: string;
  lockTimeout?: string;
  ageIdentity?: string;
  secretsDir?: string;
  /** the host policy file */
  policy?: string;
  /** reconcile and serve only */
  refuseForcePush?: boolean;
  historyLimit?: string;
  /** reconcile, serve and apply only */
  takeOverProject?: string;
  /** reconcile, serve and apply only */
  adoptCompose?: boolean;
  /** compose profiles to activate (repeatable) */
  profile?: string[];
  /** controller-host variables a compose stack may read (repeatable) */
  envAllow?: string[];
}

/** --history-limit (or BOSUN_HISTORY_LIMIT); undefined leaves it to the Project's historyLimit. */
export function historyLimit(o: CommonOptions): number | undefined {
  return parseHistoryLimit(o.historyLimit ?? process.env.BOSUN_HISTORY_LIMIT);
}

/** --lock-timeout in seconds → milliseconds; undefined leaves the default. */
export function lockWaitMs(o: CommonOptions): number | undefined {
  const text = o.lockTimeout ?? process.env.BOSUN_LOCK_TIMEOUT;
  if (text === undefined) return undefined;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0)
    throw new BosunError(Codes.usage, `--lock-timeout must be a number of seconds, not "${text}"`);
  return seconds * 1000;
}

/** The docker CLI's -H, --tls, --tlsverify, --tlscacert, --tlscert, --tlskey; the environment fills in the rest. */
export function dockerOptions(o: CommonOptions): DockerConnectOptions {
  return {
    host: o.dockerHost,
    tls: o.dockerTls,
    tlsVerify: o.dockerTlsverify,
    tlsCaCert: o.dockerTlscacert,
    tlsCert: o.dockerTlscert,
    tlsKey: o.dockerTlskey,
  };
}
/** The back end --backend (or BOSUN_BACKEND) names, docker unless told; the engine from the docker flags. */
/** The back end --backend names (imported here, not at the top: repo-only verbs never load it). */
export async function openCliBackend(o: CommonOptions): Promise<Backend> {
  const { openBackend } = await import('../backends/index.ts');
  const name = o.backend ?? nonEmpty(process.env.BOSUN_BACKEND) ?? 'docker';
  const mesh = o.swarmMesh !== false && process.env.BOSUN_SWARM_MESH !== '0';
  return openBackend(name, { docker: dockerOptions(o), swarm: { mesh } });
}

// the flag texts moved to flags.ts (loaded by --help); re-exported for the verbs that import them here
export { REFUSE_FORCE_PUSH, TAKE_OVER_PROJECT } from './flags.ts';
export { etcdAccess, openSealer, openState, stateKeyFile, stateUrl, withStore } from './state.ts';
import { withStore } from './state.ts';

export function sourceOptions(o: CommonOptions): GitSourceOptions {
  return {
    repo: o.repo ?? process.env.BOSUN_REPO ?? '.',
    ref: o.ref ?? process.env.BOSUN_REF,
    path: o.path ?? process.env.BOSUN_PATH,
    cacheDir: cacheDirOf(o),
    token: process.env.BOSUN_GIT_TOKEN,
    refuseForcePush: o.refuseForcePush ?? process.env.BOSUN_REFUSE_FORCE_PUSH === '1',
    // the host policy's signing keys: every verb that reads the repo checks the commit's signature
    verify: hostPolicy(o).policy.git?.verify,
  };
}

export function cacheDirOf(o: CommonOptions): string {
  return o.cacheDir ?? process.env.BOSUN_CACHE ?? defaultCacheDir();
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'bosun', 'repos');
}

/** --age-identity and --secrets-dir (or their variables): refused before anything else is opened. */
export function secretSources(o: CommonOptions): Promise<SecretSources> {
  return hostSecrets({
    identityFile: o.ageIdentity ?? nonEmpty(process.env.BOSUN_AGE_IDENTITY),
    secretsDir: o.secretsDir ?? nonEmpty(process.env.BOSUN_SECRETS_DIR),
    env: process.env,
  });
}

function nonEmpty(v: string | undefined): string | undefined {
  return v === '' ? undefined : v;
}

export function projectOverride(o: CommonOptions): string | undefined {
  return o.project ?? process.env.BOSUN_PROJECT;
}

/**
 * What the format reading the repo is told beyond the files: --project, --profile and the
 * host variables --env-allow names (BOSUN_PROFILES / BOSUN_ENV_ALLOW, comma separated).
 */
export function loadOptions(o: CommonOptions): LoadOptions {
  const list = (given: string[] | undefined, env: string | undefined) =>
    given?.length
      ? given
      : (env ?? '')
          .split(',')
          .filter((s) => s.trim() !== '')
          .map((s) => s.trim());
  const profiles = list(o.profile, process.env.BOSUN_PROFILES);
  const allowed = list(o.envAllow, process.env.BOSUN_ENV_ALLOW);
  const hostEnv: Record<string, string> = {};
  for (const name of allowed) {
    const value = process.env[name];
    if (value !== undefined) hostEnv[name] = value;
  }
  return {
    ...(projectOverride(o) === undefined ? {} : { project: projectOverride(o) }),
    ...(profiles.length ? { profiles } : {}),
    ...(allowed.length ? { hostEnv } : {}),
  };
}

/** Releases, pins and status belong to a project: --project, or the repo's Project manifest. */
export async function projectName(o: CommonOptions): Promise<string> {
  const named = projectOverride(o);
  if (named) return named;
  // only the name is read, nothing of the commit runs: an unsigned head must not hide the
  // releases, status or the serve that would report it (each pass still verifies)
  return projectNameOf(await fetchArtifact({ ...sourceOptions(o), verify: undefined }));
}

/**
 * Runs `fn` with the verb's session: the state store (opened here, always closed), the back end
 * and the source, built once. `extra` adds what the verb reports progress with.
 */
export function withSession<T>(
  o: CommonOptions,
  extra: Partial<SessionOptions>,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  return withSessions(o, (make) => fn(make(extra)));
}

/**
 * As withSession, for verbs that work on several projects at once (`--all`): `make` builds a
 * Session per project over the one state store, sealer and back end.
 */
export async function withSessions<T>(
  o: CommonOptions,
  fn: (make: (extra: Partial<SessionOptions>) => Session, kv: KvStore, sealer: RecordSealer) => Promise<T>,
): Promise<T> {
  const secrets = await secretSources(o);
  // read before anything is opened: a bad policy file is refused with nothing touched
  const policy = hostPolicy(o);
  const { Session } = await import('../session/session.ts');
  const backend = await openCliBackend(o);
  return withStore(o, (kv, sealer) => {
    const make = (extra: Partial<SessionOptions>) =>
      new Session({
        policy,
        kv,
        sealer,
        backend,
        source: sourceOptions(o),
        projectOverride: projectOverride(o),
        loadOptions: loadOptions(o),
        takeOverProject: o.takeOverProject,
        adoptCompose: o.adoptCompose === true,
        allowTakeover: takeoverByPolicy(policy),
        secrets,
        lockWaitMs: lockWaitMs(o),
        historyLimit: historyLimit(o),
        drain: drainerFor(kv),
        ...extra,
      });
    return fn(make, kv, sealer);
  });
}

export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}
