/**
 * The back ends bosun can run workloads on, by name. The CLI and serve open one here, so adding
 * a back end means a folder beside docker/ and a line below (and one in describers.ts).
 */
import { BosunError, Codes } from '../errors.ts';
import type { Backend } from './backend.ts';
import { resolveDocker } from './docker/connect.ts';
import type { DockerConnectOptions } from './docker/host.ts';
import { DockerBackend } from './docker/index.ts';
import { SwarmBackend, type SwarmOptions } from './swarm/index.ts';

/** How to reach the engine, as the user named it in flags; the environment fills in the rest. */
export interface BackendOptions {
  docker?: DockerConnectOptions;
  swarm?: SwarmOptions;
}

const BACKENDS: Record<string, (o: BackendOptions) => Backend> = {
  docker: (o) => new DockerBackend(resolveDocker(o.docker)),
  swarm: (o) => new SwarmBackend(resolveDocker(o.docker), o.swarm ?? { mesh: true }),
};

export function openBackend(name: string, opts: BackendOptions = {}): Backend {
  const open = BACKENDS[name];
  if (!open)
    throw new BosunError(Codes.usage, `unknown back end "${name}" (known: ${Object.keys(BACKENDS).join(', ')})`);
  return open(opts);
}
