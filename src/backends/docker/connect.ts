import fs from 'node:fs';
import https from 'node:https';
import Module, { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import type DockerClient from 'dockerode';
import { BosunError, Codes } from '../../errors.ts';
import {
  type DockerConnectOptions,
  type DockerTarget,
  configDir,
  describeTarget,
  parseDockerHost,
  resolveDockerTarget,
} from './host.ts';
import { SshAgent, SshFailure, sshError } from './ssh.ts';
import { loadTls, type TlsMaterial, tlsFailure } from './tls.ts';

const require = createRequire(import.meta.url);

/**
 * dockerode loads its BuildKit session support (@grpc/grpc-js and protobufjs, ~15 MB of resident
 * memory) when it is loaded, though only image builds use it and bosun never builds through it;
 * docker-modem loads its ssh transport (ssh2, its ciphers and a native addon, ~10% of a CLI
 * verb's start-up) though bosun reaches ssh:// engines through the system ssh (./ssh.ts) and
 * never hands docker-modem an ssh protocol. A stub that fails loudly takes each module's place
 * in the require cache before dockerode loads. Another layout (no such file) just loads whole.
 */
function loadDockerode(): typeof DockerClient {
  stubModule(require, 'dockerode/lib/session.js', 'dockerode BuildKit sessions are not available in bosun');
  // resolved from dockerode's own folder: the docker-modem it requires, wherever npm put it
  const fromDockerode = createRequire(require.resolve('dockerode'));
  stubModule(fromDockerode, 'docker-modem/lib/ssh.js', "docker-modem's ssh transport is not used by bosun");
  return require('dockerode') as typeof DockerClient;
}

function stubModule(from: NodeJS.Require, id: string, refusal: string): void {
  try {
    const file = from.resolve(id);
    if (require.cache[file]) return;
    const stub = new Module(file);
    stub.filename = file;
    stub.loaded = true;
    stub.exports = () => {
      throw new Error(refusal);
    };
    require.cache[file] = stub;
  } catch {
    // resolve failed: nothing to replace
  }
}

const Docker = loadDockerode();
type Docker = DockerClient;

/** Where the engine is and how bosun talks to it; messages name it by `endpoint`. */
export interface EngineAddress {
  readonly endpoint: string;
  /** the TLS in use (tcp with TLS only): failures are explained with its files */
  readonly tls?: TlsMaterial;
  /** through ssh: what comes back is whatever the remote login printed */
  readonly ssh?: boolean;
}

export interface DockerConnection extends EngineAddress {
  readonly docker: Docker;
}

/** The engine named by flags and environment, as the docker CLI would pick it. */
export function resolveDocker(o: DockerConnectOptions = {}): DockerTarget {
  const home = os.homedir();
  return resolveDockerTarget(o, process.env, home, currentContext(configDir(process.env, home)));
}

/** config.json's currentContext; a missing or unreadable file means none, as for docker. */
function currentContext(dir: string): string | undefined {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

/**
 * docker-modem reads DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH itself, its own way (it
 * reads cert files for any tcp host, and its DOCKER_HOST host wins over a socketPath passed
 * in). bosun has resolved them already, so the modem is built with DOCKER_HOST out of sight;
 * the constructor is synchronous, so nothing else can observe the gap.
 */
function hidingDockerHost<T>(build: () => T): T {
  const saved = process.env.DOCKER_HOST;
  delete process.env.DOCKER_HOST;
  try {
    return build();
  } finally {
    if (saved !== undefined) process.env.DOCKER_HOST = saved;
  }
}

/** Opens a client for `target` (a DOCKER_HOST-style string is plain unix or tcp). Reads TLS files now. */
export function connectDocker(target: DockerTarget | string): DockerConnection {
  const t: DockerTarget = typeof target === 'string' ? parseDockerHost(target) : target;
  const endpoint = describeTarget(t);
  // docker reads the TLS files even for a socket or ssh (and fails when they are missing), then ignores them
  if (t.scheme !== 'tcp' && t.tls) loadTls(t.tls);
  if (t.scheme === 'unix')
    return { endpoint, docker: hidingDockerHost(() => new Docker({ socketPath: t.socketPath })) };
  if (t.scheme === 'ssh') {
    // plain HTTP inside the ssh channel; the host name only fills the Host header
    const options = { host: 'docker', port: 80, protocol: 'http' as const, agent: new SshAgent(t) };
    return { endpoint, docker: hidingDockerHost(() => new Docker(options)), ssh: true };
  }
  if (!t.tls) {
    return { endpoint, docker: hidingDockerHost(() => new Docker({ host: t.host, port: t.port, protocol: 'http' })) };
  }
  const tls = loadTls(t.tls);
  // the modem passes no rejectUnauthorized through; an agent's options override the request's
  const agent = new https.Agent({
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    rejectUnauthorized: tls.verify,
    keepAlive: true,
  });
  // dockerode's types omit `agent`, which docker-modem passes to https.request
  const options = { host: t.host, port: t.port, protocol: 'https' as const, agent };
  const docker = hidingDockerHost(() => new Docker(options));
  return { endpoint, docker, tls };
}

const UNREACHABLE = new Set([
  'ENOENT',
  'ECONNREFUSED',
  'EACCES',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  'ENOTFOUND',
]);

/** Engine errors carry their text in `json.message`; `reason` comes from a fixed table and misleads. */
export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  const raw = e?.json?.message ?? e?.message ?? String(err);
  return raw.replace(/^\(HTTP code \d+\) [^-]*- /, '').trim();
}

export function statusCode(err: unknown): number | undefined {
  return (err as { statusCode?: number })?.statusCode;
}

/** Turns any dockerode failure into a typed error: unreachable engines get a retryable one-liner. */
export function dockerError(err: unknown, at: EngineAddress, doing: string): BosunError {
  if (err instanceof BosunError) return err;
  const endpoint = at.endpoint;
  if (err instanceof SshFailure) return sshError(err, endpoint);
  if (at.ssh && /^HPE_/.test(String((err as { code?: unknown })?.code)))
    return sshError(
      new SshFailure(
        null,
        'the remote side did not answer as `docker system dial-stdio`: is docker installed there, and the login shell a real one?',
      ),
      endpoint,
    );
  const tlsProblem = tlsFailure(err, endpoint, at.tls);
  if (tlsProblem) return tlsProblem;
  const code = (err as { code?: string })?.code;
  if (code && UNREACHABLE.has(code)) {
    return new BosunError(Codes.dockerUnreachable, `cannot reach the Docker engine at ${endpoint}: ${code}`, {
      cause: err,
    });
  }
  return new BosunError(Codes.dockerApi, `${doing}: ${engineMessage(err)}`, {
    cause: err,
    data: { statusCode: statusCode(err) },
  });
}

/** Resolves to the promise's value, or rejects with E_DOCKER_UNREACHABLE after `ms`. */
export async function withDeadline<T>(p: Promise<T>, ms: number, endpoint: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BosunError(
            Codes.dockerUnreachable,
            `cannot reach the Docker engine at ${endpoint}: no answer in ${ms / 1000}s`,
          ),
        ),
      ms,
    );
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
