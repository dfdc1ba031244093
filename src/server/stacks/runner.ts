/**
 * Runs one batch of a cluster repo's controller: a reconcile pass over the repo (one fetch,
 * only the touched stacks planned), then drift heals of the stacks whose containers drifted and
 * that the pass did not cover. Never throws: everything is recorded on the board, the metrics
 * and the log under the stack's name.
 */
import pLimit from 'p-limit';
import { asBosunError } from '../../errors.ts';
import type { KvStore } from '../../ports.ts';
import { readStackSet, writeStackSet } from '../../stacks/record.ts';
import type { RecordSealer } from '../../trust/sealer.ts';
import type { ServerMetrics } from '../metrics.ts';
import type { ClusterPassDeps, ClusterPassResult } from './pass.ts';
import { clusterPass, stackHeal } from './pass.ts';
import { handleGone } from './prune.ts';

/**
 * At most one reconcile (a webhook outranks a poll) and the stacks to heal. `elected`: this
 * process just became leader; what it knew of the stacks is stale (another leader applied
 * meanwhile), so the recorded stack set is read again and every stack is planned once.
 */
export interface StackBatch {
  reconcile?: 'webhook' | 'poll';
  heal: string[];
  elected?: boolean;
}

export function mergeStackBatches(older: StackBatch, newer: StackBatch): StackBatch {
  const reconcile =
    older.reconcile === 'webhook' || newer.reconcile === 'webhook' ? 'webhook' : (newer.reconcile ?? older.reconcile);
  const elected = older.elected || newer.elected;
  return { reconcile, heal: [...new Set([...older.heal, ...newer.heal])], ...(elected && { elected }) };
}

export interface LastClusterPass {
  trigger: 'webhook' | 'poll';
  at: string;
  durationMs: number;
  revision?: string;
  touched: string[];
  untouched: number;
  gone: string[];
  failed: string[];
  error?: { code: string; message: string; disposition: string };
}

export interface StackRunnerDeps extends Omit<ClusterPassDeps, 'firstPass'> {
  /** only the leader of the repo's controllers plans and applies */
  isLeader: () => boolean;
  kv: KvStore;
  sealer: RecordSealer;
  /** the repo and folder the stack set is recorded under */
  where: { repo: string; root: string };
  prune: boolean;
  serverMetrics: ServerMetrics;
  /** after every batch: drift watchers follow the stacks */
  afterRun: () => void;
}

export class StackRunner {
  last: LastClusterPass | null = null;
  private handledOnce = false;

  constructor(private readonly d: StackRunnerDeps) {}

  /** The stacks recorded by an earlier controller or `reconcile --all`: a folder deleted meanwhile is noticed. */
  async loadRecorded(): Promise<void> {
    const recorded = await readStackSet(this.d.kv, this.d.sealer, this.d.where.repo, this.d.where.root);
    for (const r of recorded) this.d.board.get(r.path).project = r.project;
  }

  /** A new term: the board starts from the stack set as the last leader left it; every stack is planned again. */
  private async restart(): Promise<void> {
    this.handledOnce = false;
    this.d.board.entries.clear();
    try {
      await this.loadRecorded();
    } catch (err) {
      this.d.log.warn({ err: asBosunError(err).message }, 'could not read the recorded stack set');
    }
  }

  async run(batch: StackBatch): Promise<void> {
    if (!this.d.isLeader()) {
      this.d.serverMetrics.reconciles.inc({ trigger: batch.reconcile ?? 'drift', result: 'not-leader' });
      return;
    }
    if (batch.elected) await this.restart();
    const covered = new Set<string>();
    if (batch.reconcile) {
      const r = await this.reconcile(batch.reconcile);
      for (const t of r?.touched ?? []) covered.add(t.path);
    }
    const limit = pLimit(Math.max(1, this.d.concurrency));
    const heals = batch.heal.filter((p) => !covered.has(p) && this.d.board.entries.get(p)?.project);
    // each heal is recorded under its stack by stackHeal; one failing never stops another
    await Promise.all(heals.map((p) => limit(() => stackHeal(this.d, p).catch(() => undefined))));
    this.d.afterRun();
  }

  private async reconcile(trigger: 'webhook' | 'poll'): Promise<ClusterPassResult | undefined> {
    const started = Date.now();
    const at = new Date(started).toISOString();
    try {
      const before = this.recordedNow();
      const r = await clusterPass(trigger, { ...this.d, firstPass: !this.handledOnce });
      this.handledOnce = true;
      await handleGone(this.d, r.gone, this.d.prune, r.revision);
      await writeStackSet(this.d.kv, this.d.sealer, this.d.where, before, this.recordedNow());
      const result = r.failed.length > 0 ? 'partial' : 'ok';
      this.finish(trigger, started, result);
      this.last = {
        trigger,
        at,
        durationMs: Date.now() - started,
        revision: r.revision,
        touched: r.touched.map((t) => t.path),
        untouched: r.untouched.length,
        gone: r.gone,
        failed: r.failed,
      };
      return r;
    } catch (err) {
      // the repo itself could not be read (git, a bad layout file): no stack was planned
      const e = asBosunError(err);
      const error = { code: e.code, message: e.message, disposition: e.disposition };
      this.finish(trigger, started, e.disposition);
      this.last = {
        trigger,
        at,
        durationMs: Date.now() - started,
        touched: [],
        untouched: 0,
        gone: [],
        failed: [],
        error,
      };
      this.d.log.error({ trigger, ...error }, `${trigger} pass failed (${e.disposition})`);
      if (e.disposition !== 'stalled') this.d.retryLater();
      return undefined;
    }
  }

  /** What the store should say: every named stack the board knows (gone ones until pruned). */
  private recordedNow() {
    return [...this.d.board.entries.values()]
      .filter((e) => e.project)
      .map((e) => ({ path: e.path, project: e.project! }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  private finish(trigger: string, started: number, result: string): void {
    this.d.serverMetrics.reconciles.inc({ trigger, result });
    this.d.serverMetrics.duration.observe({ trigger }, (Date.now() - started) / 1000);
  }
}
