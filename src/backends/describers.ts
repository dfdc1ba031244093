/**
 * How each back end's operations read, for the pure renderers: a plan names the back end that
 * made it, and rendering a plan (or a saved one) needs no connection to that back end.
 */
import { BosunError, Codes } from '../errors.ts';
import type { OperationDescriber } from './backend.ts';
import { dockerDescriber } from './docker/describe.ts';
import { swarmDescriber } from './swarm/describe.ts';

const DESCRIBERS = new Map<string, OperationDescriber>([
  ['docker', dockerDescriber],
  ['swarm', swarmDescriber as OperationDescriber],
]);

/** A back end outside this folder (a test's, a plugin's) makes its plans readable here. */
export function registerDescriber(backend: string, describer: OperationDescriber): void {
  DESCRIBERS.set(backend, describer);
}

export function describerOf(backend: string): OperationDescriber {
  const found = DESCRIBERS.get(backend);
  if (!found)
    throw new BosunError(Codes.usage, `unknown back end "${backend}" (known: ${[...DESCRIBERS.keys()].join(', ')})`);
  return found;
}
