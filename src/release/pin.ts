import { BosunError, Codes } from '../errors.ts';
import type { KvStore } from '../ports.ts';
import { projectPrefix } from '../store/layout.ts';
import { isUntrusted, type RecordSealer } from '../trust/sealer.ts';

/**
 * A pin holds the stack at one release (set by `bosun rollback`): reconciles from git, polling
 * or webhooks report what they would change but do not apply it until `bosun resume`.
 * Key: /bosun/<project>/pin → { release, at, by }, sealed with the state key.
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

/**
 * The pin, if there is one bosun can trust. A pin that fails its check is reported (by the
 * sealer) and ignored: the stack then follows git, as it would if the pin had been deleted —
 * which whoever forged it could have done anyway.
 */
export async function readPin(kv: KvStore, sealer: RecordSealer, project: string): Promise<Pin | undefined> {
  const entry = await kv.get(pinKey(project));
  if (!entry) return undefined;
  try {
    const pin = sealer.open<Pin>(entry, 'pin');
    if (Number.isSafeInteger(pin?.release) && pin.release > 0) return pin;
    sealer.refuse(entry.key, invalidPin(entry.key));
    return undefined;
  } catch (err) {
    if (isUntrusted(err)) return undefined;
    throw err;
  }
}

export async function writePin(kv: KvStore, sealer: RecordSealer, project: string, pin: Pin): Promise<void> {
  await kv.put(pinKey(project), sealer.seal(pinKey(project), pin));
}

export async function clearPin(kv: KvStore, project: string): Promise<void> {
  await kv.delete(pinKey(project));
}

function invalidPin(key: string) {
  return new BosunError(Codes.recordInvalid, `pin at ${key} names no release: not acted on`, { data: { key } });
}
