import Module, { createRequire } from 'node:module';
import type DockerClient from 'dockerode';
import { BosunError, Codes } from '../../errors.ts';

const require = createRequire(import.meta.url);

/**
 * dockerode loads its BuildKit session support (@grpc/grpc-js and protobufjs, ~15 MB of resident
 * memory) when it is loaded, though only image builds use it and bosun never builds. A stub
 * that fails loudly takes that module's place in the require cache before dockerode loads.
 * Another dockerode layout (no such file) just loads whole.
 */
function loadDockerode(): typeof DockerClient {
  try {
    const session = require.resolve('dockerode/lib/session.js');
    if (!require.cache[session]) {
      const stub = new Module(session);
      stub.filename = session;
      stub.loaded = true;
      stub.exports = () => {
        throw new Error('dockerode BuildKit sessions are not available in bosun');
      };
      require.cache[session] = stub;
    }
  } catch {
    // resolve failed: nothing to replace
  }
  return require('dockerode') as typeof DockerClient;
}

const Docker = loadDockerode();
type Docker = DockerClient;

/** The engine endpoint as the user named it (flag, DOCKER_HOST, or the local socket). */
export function resolveDockerHost(flag?: string): string {
  return flag || process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';
}

export function connectDocker(endpoint: string): Docker {
  if (endpoint.startsWith('unix://')) return new Docker({ socketPath: endpoint.slice('unix://'.length) });
  if (endpoint.startsWith('/')) return new Docker({ socketPath: endpoint });
  const url = new URL(endpoint.replace(/^tcp:/, 'http:'));
  const protocol = url.protocol === 'https:' ? 'https' : 'http';
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol });
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
export function dockerError(err: unknown, endpoint: string, doing: string): BosunError {
  if (err instanceof BosunError) return err;
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
