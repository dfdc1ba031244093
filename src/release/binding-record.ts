/**
 * The one place the binding record is read and written (`/bosun/<project>/binding`, a Binding
 * sealed with the state key like releases and pins).
 */
import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { KvStore } from '../ports.ts';
import { projectPrefix } from '../store/layout.ts';
import { isUntrusted, type RecordSealer } from '../trust/sealer.ts';
import type { Binding } from './binding.ts';

export function bindingKey(project: string): string {
  return `${projectPrefix(project)}binding`;
}

export interface BindingRead {
  binding?: Binding;
  /** the record's version as read (null: absent), for a compare-and-set write */
  version: string | null;
}

/**
 * A binding that fails its seal is reported (by the sealer) and read as none: whoever could
 * forge it could as well have deleted it, and the version is kept so the next claim replaces it.
 */
export async function readBinding(kv: KvStore, sealer: RecordSealer, project: string): Promise<BindingRead> {
  const entry = await kv.get(bindingKey(project));
  if (!entry) return { version: null };
  try {
    return { binding: parseBinding(entry, sealer.open<unknown>(entry, 'project binding')), version: entry.version };
  } catch (err) {
    if (isUntrusted(err)) return { version: entry.version };
    throw err;
  }
}

/**
 * A binding to write, guarded by the version it was decided on: put in the release's own
 * transaction (ReleaseStore.begin), or alone when nothing is applied (writeClaim).
 */
export interface BindingClaim {
  key: string;
  /** the version read (null: there was none) */
  expect: string | null;
  value: string;
  binding: Binding;
}

export function claimOf(sealer: RecordSealer, project: string, read: BindingRead, binding: Binding): BindingClaim {
  const key = bindingKey(project);
  return { key, expect: read.version, value: sealer.seal(key, binding), binding };
}

/** Writes the claim only if the record is still as it was read; false when it moved. */
export function writeClaim(kv: KvStore, claim: BindingClaim): Promise<boolean> {
  return kv.putIf(claim.key, claim.value, claim.expect);
}

function parseBinding(entry: KvEntry, record: unknown): Binding {
  const b = record as Binding;
  if (b !== null && typeof b === 'object' && typeof b.repo === 'string' && typeof b.path === 'string') return b;
  throw new BosunError(Codes.storeCorrupt, `${entry.key} does not hold a project binding`);
}
