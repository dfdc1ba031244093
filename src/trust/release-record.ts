/**
 * How a release is kept in the state store: sealed (see sealer.ts) with the values of secret
 * Configs encrypted, so a reader of etcd learns nothing and a writer cannot make bosun run
 * anything. Reading one back checks, in order: the seal, the desired state's shape and
 * references, then decrypts — a record that fails any step is never acted on.
 */
import { BosunError, Codes } from '../errors.ts';
import type { ConfigSpec, DesiredState } from '../model/desired.ts';
import type { KvEntry } from '../model/observed.ts';
import type { Release } from '../model/release.ts';
import { desiredStateProblem } from './desired-check.ts';
import type { RecordSealer } from './sealer.ts';

export function sealRelease(sealer: RecordSealer, storageKey: string, release: Release): string {
  const desired = mapSecrets(release.desired, storageKey, (v, where) => sealer.encrypt(v, where));
  return sealer.seal(storageKey, { ...release, desired });
}

/** The release at `entry.key`: authenticated, checked, decrypted; or E_RECORD_TAMPERED / E_RECORD_INVALID. */
export function openRelease(sealer: RecordSealer, entry: KvEntry, project: string, number: number): Release {
  const record = sealer.open<Release>(entry, 'release record');
  const problem = releaseProblem(record, project, number);
  if (problem) {
    const message = `release record at ${entry.key} is not one bosun can run (${problem}): not acted on`;
    throw sealer.refuse(entry.key, new BosunError(Codes.recordInvalid, message, { data: { key: entry.key } }));
  }
  const desired = mapSecrets(record.desired, entry.key, (v, where) => sealer.decrypt(v, where));
  return { ...record, desired };
}

function releaseProblem(r: Release, project: string, number: number): string | undefined {
  if (r === null || typeof r !== 'object') return 'not an object';
  if (r.number !== number) return `it says release ${String(r.number)}`;
  if (r.project !== project) return `it says project ${String(r.project)}`;
  if (typeof r.revision !== 'string' || typeof r.status !== 'string') return 'no revision or status';
  if (r.images === null || typeof r.images !== 'object') return 'no images';
  return desiredStateProblem(r.desired, project);
}

/** `desired` with every value of a secret Config passed through `f` (where: record key, Config, key). */
function mapSecrets(desired: DesiredState, storageKey: string, f: (v: string, where: string) => string): DesiredState {
  const configs = desired.configs.map((c): ConfigSpec => {
    if (!c.secret) return c;
    const data = Object.fromEntries(
      Object.entries(c.data).map(([k, v]) => [k, f(v, `${storageKey} Config ${c.name} key ${k}`)]),
    );
    return { ...c, data };
  });
  return { ...desired, configs };
}
