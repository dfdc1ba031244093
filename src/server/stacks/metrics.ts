/**
 * Metrics of a cluster repo's controller, labelled by stack folder and project, on the
 * controller's own registry (beside bosun_reconciles_total and the rest of ServerMetrics).
 *
 * bosun_stack_passes_total{stack,project,trigger,reason,result}: a stack planned by a pass —
 *   reason start | added | changed | inputs | retry | drift | gone; result applied | healed |
 *   noop | pinned | skipped | removed, or the error's disposition stalled | retry | busy.
 * bosun_stack_untouched_total{stack,project}: a push or poll left the stack alone (its folder
 *   and inputs did not change): not planned, not observed.
 */
import { Counter, Gauge, type Registry } from 'prom-client';

export class StackMetrics {
  readonly passes: Counter<'stack' | 'project' | 'trigger' | 'reason' | 'result'>;
  readonly untouched: Counter<'stack' | 'project'>;
  readonly applied: Gauge<'stack' | 'project' | 'revision' | 'release'>;
  readonly stacks: Gauge<'sync'>;

  constructor(registry: Registry) {
    this.passes = new Counter({
      name: 'bosun_stack_passes_total',
      help: 'Passes that planned a stack of the cluster repo, by why it was planned and how it ended',
      labelNames: ['stack', 'project', 'trigger', 'reason', 'result'] as const,
      registers: [registry],
    });
    this.untouched = new Counter({
      name: 'bosun_stack_untouched_total',
      help: 'Passes that left a stack alone: nothing it is made of changed, so it was not planned',
      labelNames: ['stack', 'project'] as const,
      registers: [registry],
    });
    this.applied = new Gauge({
      name: 'bosun_stack_applied_revision_info',
      help: 'Per stack, the revision and release in force (value is always 1)',
      labelNames: ['stack', 'project', 'revision', 'release'] as const,
      registers: [registry],
    });
    this.stacks = new Gauge({
      name: 'bosun_stacks',
      help: 'Stacks of the cluster repo, by sync state',
      labelNames: ['sync'] as const,
      registers: [registry],
    });
  }

  private readonly lastApplied = new Map<string, Record<'stack' | 'project' | 'revision' | 'release', string>>();

  /** One sample per stack: the previous revision's goes. */
  setApplied(stack: string, project: string, revision: string, release: number): void {
    const before = this.lastApplied.get(stack);
    if (before) this.applied.remove(before);
    const labels = { stack, project, revision, release: String(release) };
    this.applied.set(labels, 1);
    this.lastApplied.set(stack, labels);
  }
}
