/**
 * The one place the binding record is read and written (`/bosun/<project>/binding`, JSON
 * Binding): when records are authenticated (a Sealer, issue 12's records work), sealing and
 * opening it happen here and nowhere else.
 */
import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { KvStore } from '../ports.ts';
import { projectPrefix } from '../store/layout.ts';
import type { Binding } from './binding.ts';

export function bindingKey(project: string): string {
  return `${projectPrefix(project)}binding`;
}

export interface BindingRead {
  binding?: Binding;
  /** the record's version as read (null: absent), for a compare-and-set write */
  version: string | null;
}

export async function readBinding(kv: KvStore, project: string): Promise<BindingRead> {
  const entry = await kv.get(bindingKey(project));
  return entry ? { binding: parseBinding(entry), version: entry.version } : { version: null };
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

export function claimOf(project: string, read: BindingRead, binding: Binding): BindingClaim {
  return { key: bindingKey(project), expect: read.version, value: JSON.stringify(binding), binding };
}

/** Writes the claim only if the record is still as it was read; false when it moved. */
export function writeClaim(kv: KvStore, claim: BindingClaim): Promise<boolean> {
  return kv.putIf(claim.key, claim.value, claim.expect);
}

function parseBinding(entry: KvEntry): Binding {
  try {
    const b = JSON.parse(entry.value) as Binding;
    if (typeof b.repo === 'string' && typeof b.path === 'string') return b;
  } catch {
    // reported below
  }
  throw new BosunError(Codes.storeCorrupt, `${entry.key} does not hold a project binding`);
}
