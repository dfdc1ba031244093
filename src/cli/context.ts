import os from 'node:os';
import path from 'node:path';
import { openBackend } from '../backends/index.ts';
import { BosunError, Codes } from '../errors.ts';
import { Session, type SessionOptions } from '../session/session.ts';
import { projectNameOf } from '../formats/index.ts';
import { fetchArtifact } from '../source/git.ts';
import type { GitSourceOptions, KvStore } from '../ports.ts';
import { DEFAULT_STATE_URL, embeddedStorePath, openStore } from '../store/open.ts';
import { useDigestKey } from '../model/digest.ts';
import { RecordSealer } from '../trust/sealer.ts';
import { loadKeyFor } from '../trust/key-marker.ts';
import { defaultStateKeyFile } from '../trust/state-key.ts';

/** Options every verb shares; each flag has an environment variable of the same meaning. */
export interface CommonOptions {
  repo?: string;
  ref?: string;
  path?: string;
  project?: string;
  state?: string;
  stateKeyFile?: string;
  dockerHost?: string;
  cacheDir?: string;
  output?: string;
  lockTimeout?: string;
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

export function sourceOptions(o: CommonOptions): GitSourceOptions {
  return {
    repo: o.repo ?? process.env.BOSUN_REPO ?? '.',
    ref: o.ref ?? process.env.BOSUN_REF,
    path: o.path ?? process.env.BOSUN_PATH,
    cacheDir: o.cacheDir ?? process.env.BOSUN_CACHE ?? defaultCacheDir(),
    token: process.env.BOSUN_GIT_TOKEN,
  };
}

function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'bosun', 'repos');
}

export function projectOverride(o: CommonOptions): string | undefined {
  return o.project ?? process.env.BOSUN_PROJECT;
}

/** Releases, pins and status belong to a project: --project, or the repo's Project manifest. */
export async function projectName(o: CommonOptions): Promise<string> {
  const named = projectOverride(o);
  if (named) return named;
  return projectNameOf(await fetchArtifact(sourceOptions(o)));
}

export function stateUrl(o: CommonOptions): string {
  return o.state ?? process.env.BOSUN_STATE ?? DEFAULT_STATE_URL;
}

/** --state-key-file, BOSUN_STATE_KEY_FILE, or beside the embedded store (see defaultStateKeyFile). */
export function stateKeyFile(o: CommonOptions): string {
  return o.stateKeyFile || process.env.BOSUN_STATE_KEY_FILE || defaultStateKeyFile(embeddedStorePath(stateUrl(o)));
}

/**
 * The process's sealer, from the state key file (created on first use, with one line saying so).
 * Its digest subkey becomes the process's key for digests of secret values. `warn` hears of
 * every record refused (the CLI prints them; serve logs and counts them).
 */
export async function openSealer(
  o: CommonOptions,
  kv: KvStore,
  warn: (line: string) => void = stderrLine,
  { reportRejections = true } = {},
): Promise<RecordSealer> {
  const loaded = await loadKeyFor(kv, stateKeyFile(o));
  if (loaded.created)
    warn(
      `created state key ${loaded.file} (id ${loaded.key.id}): keep it, and give every controller of this cluster a copy — records sealed with another key are refused`,
    );
  useDigestKey(loaded.key.digest);
  const sealer = new RecordSealer(loaded.key);
  if (reportRejections) sealer.onRejected((r) => warn(`${r.error.code}: ${r.error.message}`));
  return sealer;
}

function stderrLine(line: string): void {
  process.stderr.write(`bosun: ${line}\n`);
}

/**
 * Runs `fn` with the verb's session: the state store (opened here, always closed), the back end
 * and the source, built once. `extra` adds what the verb reports progress with.
 */
export async function withSession<T>(
  o: CommonOptions,
  extra: Partial<SessionOptions>,
  fn: (session: Session) => Promise<T>,
): Promise<T> {
  const backend = openBackend('docker', { host: o.dockerHost });
  return withStore(o, (kv, sealer) => {
    const session = new Session({
      kv,
      sealer,
      backend,
      source: sourceOptions(o),
      projectOverride: projectOverride(o),
      lockWaitMs: lockWaitMs(o),
      ...extra,
    });
    return fn(session);
  });
}

/** Opens the state store for the duration of `fn` and always closes it. */
export async function withStore<T>(
  o: CommonOptions,
  fn: (kv: KvStore, sealer: RecordSealer) => Promise<T>,
): Promise<T> {
  const kv = await openStore(stateUrl(o));
  try {
    return await fn(kv, await openSealer(o, kv));
  } finally {
    await kv.close();
  }
}

export function useColor(): boolean {
  return Boolean(process.stdout.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}
