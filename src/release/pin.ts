import type { KvStore } from '../ports.ts';
import { projectPrefix } from '../store/layout.ts';

/**
 * A pin holds the stack at one release (set by `bosun rollback`): reconciles from git, polling
 * or webhooks report what they would change but do not apply it until `bosun resume`.
 * Key: /bosun/<project>/pin → { release, at, by }.
 */
export interface Pin {
  release: number;
  at: string;
  by: string;
  /** set by `bosun rollback`: the release whose state was re-applied (kept by history pruning) */
  target?: number;
  /** set by `bosun down`: the git revision the stack was taken down at (see release/down-pin.ts) */
  down?: { revision: string };
}

function pinKey(project: string): string {
  return `${projectPrefix(project)}pin`;
}

export async function readPin(kv: KvStore, project: string): Promise<Pin | undefined> {
  const entry = await kv.get(pinKey(project));
  return entry ? (JSON.parse(entry.value) as Pin) : undefined;
}

export async function writePin(kv: KvStore, project: string, pin: Pin): Promise<void> {
  await kv.put(pinKey(project), JSON.stringify(pin));
}

export async function clearPin(kv: KvStore, project: string): Promise<void> {
  await kv.delete(pinKey(project));
}
