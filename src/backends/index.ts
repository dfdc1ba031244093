/**
 * The back ends bosun can run workloads on, by name. The CLI and serve open one here, so adding
 * a back end means a folder beside docker/ and a line below (and one in describers.ts).
 */
import { BosunError, Codes } from '../errors.ts';
import type { Backend } from './backend.ts';
import { resolveDockerHost } from './docker/connect.ts';
import { DockerBackend } from './docker/index.ts';

export interface BackendOptions {
  /** the engine endpoint as the user named it (flag or environment) */
  host?: string;
}

const BACKENDS: Record<string, (o: BackendOptions) => Backend> = {
  docker: (o) => new DockerBackend(resolveDockerHost(o.host)),
};

export function openBackend(name: string, opts: BackendOptions = {}): Backend {
  const open = BACKENDS[name];
  if (!open)
    throw new BosunError(Codes.usage, `unknown back end "${name}" (known: ${Object.keys(BACKENDS).join(', ')})`);
  return open(opts);
}
