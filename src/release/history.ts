import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { KvStore } from '../ports.ts';
import { projectPrefix } from '../store/layout.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { readPin } from './pin.ts';
import { addRanges, isGone, NOTHING_PRUNED, type PrunedRecord, pruneCandidates, rangesText } from './retention.ts';

/**
 * How recording one release went: written, its number already taken, the pruned record moved
 * under us, or the extra write's key (the project binding) moved under us.
 */
export type RecordOutcome = 'recorded' | 'taken' | 'raced' | 'moved';

/** One more key written in the release's transaction, only if it is still at `expect` (null: absent). */
export interface GuardedPut {
  key: string;
  expect: string | null;
  value: string;
}

/**
 * The bounded release history of a project. Recording a release and pruning the oldest are one
 * store transaction: the new release is created (its key must be absent), the pruned releases
 * deleted and /bosun/<project>/releases/pruned updated (at the version read), or nothing happens.
 */
export class History {
  constructor(private readonly kv: KvStore) {}

  /**
   * Writes release `number` (`value` at `key`) and prunes what falls outside the newest `limit`,
   * keeping `keep` (the release in force, the pinned one and its rollback target) whatever its age.
   */
  async record(
    project: string,
    release: { number: number; key: string; value: string },
    limit: number,
    keep: number[],
    extra?: GuardedPut,
  ): Promise<RecordOutcome> {
    const { entry, record } = await this.read(project);
    const candidates = pruneCandidates(release.number, limit, record.gone, keep);
    const present = await this.present(project, candidates);
    const expect: { key: string; version: string | null }[] = [{ key: release.key, version: null }];
    const put = [{ key: release.key, value: release.value }];
    if (candidates.length > 0) {
      const next: PrunedRecord = { count: record.count + present.length, gone: addRanges(record.gone, candidates) };
      expect.push({ key: prunedKey(project), version: entry?.version ?? null });
      put.push({ key: prunedKey(project), value: JSON.stringify(next) });
    }
    if (extra) {
      expect.push({ key: extra.key, version: extra.expect });
      put.push({ key: extra.key, value: extra.value });
    }
    if (await this.kv.commit({ expect, put, delete: present.map((n) => releaseKeyOf(project, n)) })) return 'recorded';
    if (await this.kv.get(release.key)) return 'taken';
    if (extra && ((await this.kv.get(extra.key))?.version ?? null) !== extra.expect) return 'moved';
    return 'raced';
  }

  /** What pruning has taken so far. */
  async pruned(project: string): Promise<PrunedRecord> {
    return (await this.read(project)).record;
  }

  /** The error for a release that is not there: pruned (with what is kept), or never recorded. */
  async missing(project: string, number: number, notFound: BosunError): Promise<BosunError> {
    const { record } = await this.read(project);
    if (!isGone(record.gone, number)) return notFound;
    return new BosunError(
      Codes.releasePruned,
      `release ${number} of project ${project} was pruned from the history (historyLimit; releases ${rangesText(record.gone)} are gone): bosun releases lists those kept`,
      { data: { project, number } },
    );
  }

  private async read(project: string): Promise<{ entry?: KvEntry; record: PrunedRecord }> {
    const entry = await this.kv.get(prunedKey(project));
    return { entry, record: entry ? parseRecord(entry) : NOTHING_PRUNED };
  }

  /** Which candidates still hold a release: only those are deleted and counted. */
  private async present(project: string, numbers: number[]): Promise<number[]> {
    const found = await Promise.all(numbers.map((n) => this.kv.get(releaseKeyOf(project, n))));
    return numbers.filter((_, i) => found[i] !== undefined);
  }
}

/** The release numbers pruning must keep: the pinned one and its rollback target (the caller adds the one in force). */
export async function pinnedNumbers(kv: KvStore, sealer: RecordSealer, project: string): Promise<number[]> {
  const pin = await readPin(kv, sealer, project);
  return pin ? [pin.release, ...(pin.target === undefined ? [] : [pin.target])] : [];
}

function prunedKey(project: string): string {
  return `${projectPrefix(project)}releases/pruned`;
}

/** The same layout as ReleaseStore's keys (see store/layout.ts). */
function releaseKeyOf(project: string, number: number): string {
  return `${projectPrefix(project)}releases/${String(number).padStart(10, '0')}`;
}

function parseRecord(entry: KvEntry): PrunedRecord {
  try {
    const r = JSON.parse(entry.value) as PrunedRecord;
    if (Number.isSafeInteger(r.count) && Array.isArray(r.gone)) return r;
  } catch {
    // reported below
  }
  throw new BosunError(Codes.storeCorrupt, `${entry.key} does not hold a record of pruned releases`);
}
