import { BosunError, Codes } from '../errors.ts';
import type { KvEntry } from '../model/observed.ts';
import type { Release, ReleaseDraft, ReleaseStatus } from '../model/release.ts';
import type { KvStore } from '../ports.ts';
import { updateKey } from '../store/cas/update.ts';
import { projectPrefix } from '../store/layout.ts';
import { openRelease, sealRelease } from '../trust/release-record.ts';
import { isUntrusted, type RecordSealer } from '../trust/sealer.ts';
import { markKey } from '../trust/key-marker.ts';
import { type GuardedPut, History, pinnedNumbers } from './history.ts';
import { DEFAULT_HISTORY_LIMIT, rangeStart, type Ranges } from './retention.ts';

export type FinalStatus = Exclude<ReleaseStatus, 'applying'>;

/**
 * Key layout (see store/layout.ts):
 *   /bosun/<project>/releases/counter      last allocated number, decimal
 *   /bosun/<project>/releases/<10 digits>  the release as JSON, e.g. .../releases/0000000007
 *
 * Numbers come from a compare-and-set on the counter, so concurrent writers (processes or
 * hosts) never share one. The counter and the release are two writes: a crash between them
 * leaves a gap in the numbering, never a duplicate or a half-written release.
 *
 * Releases are sealed with the state key (trust/release-record.ts): one that fails the check
 * throws E_RECORD_TAMPERED or E_RECORD_INVALID where it would be acted on (get, latest, finish)
 * and is left out of list(). The counter is not sealed: a forged one only skips numbers.
 */
export class ReleaseStore {
  private readonly history: History;
  private marked = false;
  private readonly listeners: ((r: Release) => void)[] = [];

  constructor(
    private readonly kv: KvStore,
    private readonly sealer: RecordSealer,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.history = new History(kv);
  }

  /**
   * Records the release as `applying`, before anything is changed, so a crash leaves a trace;
   * in the same transaction, releases older than the newest `historyLimit` are pruned (history.ts)
   * and `extra` (the project binding, first written by this release) is written if unchanged.
   */
  async begin(draft: ReleaseDraft, historyLimit = DEFAULT_HISTORY_LIMIT, extra?: GuardedPut): Promise<Release> {
    if (!this.marked) {
      await markKey(this.kv, this.sealer.key.id);
      this.marked = true;
    }
    const kept = await this.kept(draft.project);
    // the release in force unknown (a record fails its seal): prune nothing this time
    const limit = kept === undefined ? Number.MAX_SAFE_INTEGER : historyLimit;
    const keep = kept ?? [];
    // the loop only repeats when the counter lags behind existing releases (e.g. it was deleted)
    for (;;) {
      const number = await this.allocate(draft.project);
      // after the draft: a draft spread from an older release must not bring its number along
      const release: Release = { ...draft, number, status: 'applying', startedAt: this.now().toISOString() };
      const key = releaseKey(draft.project, number);
      const record = { number, key, value: sealRelease(this.sealer, key, release) };
      const attempt = () => this.history.record(draft.project, record, limit, keep, extra);
      let outcome = await attempt();
      // another recording pruned first: same number, fresh view of what is gone
      while (outcome === 'raced') outcome = await attempt();
      if (outcome === 'moved') throw moved(draft.project, extra!.key);
      if (outcome === 'recorded') return this.told(release);
    }
  }

  /**
   * Never pruned: the release in force (the latest that succeeded), the pinned one and its
   * rollback target. Undefined when the walk to the release in force meets a record that fails
   * its seal: which one is in force is then unknown, and a forged record must not make the
   * genuine one look prunable.
   */
  private async kept(project: string): Promise<number[] | undefined> {
    const pinned = await pinnedNumbers(this.kv, this.sealer, project);
    try {
      const inForce = await this.latest(project, 'succeeded');
      return inForce ? [inForce.number, ...pinned] : pinned;
    } catch (err) {
      if (isUntrusted(err)) return undefined;
      throw err;
    }
  }

  /** How many releases pruning has deleted, and which numbers are gone. */
  pruned(project: string) {
    return this.history.pruned(project);
  }

  async finish(
    project: string,
    number: number,
    status: FinalStatus,
    error?: { code: string; message: string },
  ): Promise<Release> {
    const finishedAt = this.now().toISOString();
    const finished = await updateKey(this.kv, releaseKey(project, number), (current) => {
      if (!current) throw notFound(project, number);
      const { error: _previous, ...rest } = this.open(current, project, number);
      const release: Release = { ...rest, status, finishedAt, ...(error ? { error } : {}) };
      return { value: sealRelease(this.sealer, current.key, release), result: release };
    });
    return this.told(finished);
  }

  /** Told of every release this store records (`applying`) or finishes, once written (serve notifies). */
  onRecorded(listener: (r: Release) => void): void {
    this.listeners.push(listener);
  }

  private told(r: Release): Release {
    for (const listener of this.listeners) {
      try {
        listener(r);
      } catch {
        // a listener only queues; whatever it throws must not undo a recorded release
      }
    }
    return r;
  }

  /** Every release of the project that passes its checks, oldest first (the sealer reports the others). */
  async list(project: string): Promise<Release[]> {
    const entries = await this.kv.list(releasesPrefix(project));
    const releases: Release[] = [];
    for (const e of entries) {
      const number = numberOf(e.key);
      if (number === undefined) continue;
      try {
        releases.push(this.open(e, project, number));
      } catch (err) {
        if (!isUntrusted(err)) throw err;
      }
    }
    return releases.sort((a, b) => a.number - b.number);
  }

  async get(project: string, number: number): Promise<Release> {
    if (!Number.isSafeInteger(number) || number < 1) throw notFound(project, number);
    const entry = await this.kv.get(releaseKey(project, number));
    if (!entry) throw await this.history.missing(project, number, notFound(project, number));
    return this.open(entry, project, number);
  }

  /**
   * The newest release, or the newest with `status` (e.g. the last `succeeded` one to roll back
   * to). Walks back from the counter one release at a time: a controller asks on every pass, and
   * listing would read (and parse) the whole history, each release holding a full desired state.
   */
  async latest(project: string, status?: ReleaseStatus): Promise<Release | undefined> {
    const top = await this.counter(project);
    if (top === 0) return this.fromList(project, status);
    let gone: Ranges | undefined;
    for (let n = top; n >= 1; n--) {
      const entry = await this.kv.get(releaseKey(project, n));
      // the counter is written before its release: a crash in between leaves the top one missing
      if (!entry) {
        if (n === top) return this.fromList(project, status);
        // pruned history is skipped in one step, not read back key by key
        gone ??= (await this.history.pruned(project)).gone;
        n = rangeStart(gone, n);
        continue;
      }
      const release = this.open(entry, project, n);
      if (status === undefined || release.status === status) return release;
    }
    return undefined;
  }

  /** The newest release, whatever its status. */
  newest(project: string): Promise<Release | undefined> {
    return this.latest(project);
  }

  private open(entry: KvEntry, project: string, number: number): Release {
    return openRelease(this.sealer, entry, project, number);
  }

  private async fromList(project: string, status?: ReleaseStatus): Promise<Release | undefined> {
    return (await this.list(project)).filter((r) => status === undefined || r.status === status).at(-1);
  }

  private async counter(project: string): Promise<number> {
    const entry = await this.kv.get(`${releasesPrefix(project)}counter`);
    return entry ? parseCounter(entry) : 0;
  }

  private async allocate(project: string): Promise<number> {
    const counterKey = `${releasesPrefix(project)}counter`;
    const counter = await this.kv.get(counterKey);
    // a missing counter with releases present must not restart at 1: resume after the highest
    const floor = counter ? 0 : await this.highestNumber(project);
    return updateKey(this.kv, counterKey, (current) => {
      const next = Math.max(current ? parseCounter(current) : 0, floor) + 1;
      return { value: String(next), result: next };
    });
  }

  private async highestNumber(project: string): Promise<number> {
    const releases = await this.list(project);
    return releases.at(-1)?.number ?? 0;
  }
}

const RELEASE_KEY = /\/releases\/(\d{10})$/;

function numberOf(key: string): number | undefined {
  const m = RELEASE_KEY.exec(key);
  return m ? Number(m[1]) : undefined;
}

function releasesPrefix(project: string): string {
  return `${projectPrefix(project)}releases/`;
}

function releaseKey(project: string, number: number): string {
  return `${releasesPrefix(project)}${String(number).padStart(10, '0')}`;
}

function parseCounter(entry: KvEntry): number {
  const n = Number(entry.value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new BosunError(Codes.storeCorrupt, `${entry.key} holds "${entry.value}", not a release number`);
  }
  return n;
}

/** Under the apply lock only a writer outside bosun's locking moves it: the next pass decides afresh. */
function moved(project: string, key: string): BosunError {
  return new BosunError(
    Codes.storeConflict,
    `${key} changed while release of project ${project} was being recorded: nothing applied, try again`,
    { data: { project, key } },
  );
}

function notFound(project: string, number: number): BosunError {
  return new BosunError(Codes.releaseNotFound, `release ${number} not found for project ${project}`, {
    data: { project, number },
  });
}
