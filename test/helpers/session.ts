import type { Backend } from '../../src/backends/backend.ts';
import { DockerBackend } from '../../src/backends/docker/index.ts';
import type { GitSourceOptions, KvStore } from '../../src/ports.ts';
import { Session, type SessionOptions } from '../../src/session/session.ts';
import { testSealer } from './state-key.ts';

/** The local engine, as the CLI opens it. */
export function localDocker(): DockerBackend {
  return new DockerBackend('unix:///var/run/docker.sock');
}

/** A session on a real store and (by default) the local Docker engine, as a CLI verb builds one. */
export function testSession(
  kv: KvStore,
  source?: GitSourceOptions,
  over: Partial<SessionOptions> & { backend?: Backend } = {},
): Session {
  return new Session({
    kv,
    source,
    ...over,
    sealer: over.sealer ?? testSealer(),
    backend: over.backend ?? localDocker(),
  });
}
