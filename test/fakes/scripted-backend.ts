import type { Backend, EventFeed, RunContext, Teardown, WorkloadPlan } from '../../src/backends/backend.ts';
import { registerDescriber } from '../../src/backends/describers.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import type { Endpoint } from '../../src/model/endpoint.ts';
import { serviceSpecHash } from '../../src/model/hash.ts';
import type { ObservedState } from '../../src/model/observed.ts';
import type { OperationHead, Plan } from '../../src/model/plan.ts';
import { dependencyLevels } from '../../src/plan/order.ts';
import { rolloutBatch, startGate } from '../../src/plan/rollout.ts';

/** One workload of the fake engine: a service at a spec hash (no replicas, no containers). */
export interface FakeWorkload {
  service: string;
  hash: string;
}

export interface FakeObserved {
  workloads: FakeWorkload[];
}

export type FakeOperation = OperationHead & { kind: 'start' | 'replace' | 'stop'; service: string; hash: string };

/**
 * A scriptable back end for pure-logic tests of everything above the seam (executor, releases,
 * rollback, heal): workloads are entries in a map, and `failWhen` makes chosen operations fail.
 * It also shows that a back end compiles against the interface with nothing in src/ edited.
 */
export class ScriptedBackend implements Backend<FakeOperation, FakeObserved> {
  readonly name = 'fake';
  readonly endpoint = 'fake://engine';
  readonly workloads = new Map<string, string>();
  readonly calls: string[] = [];
  /** return an Error to make that operation fail (after `calls` records it) */
  failWhen: (op: FakeOperation) => Error | undefined = () => undefined;
  reachable = true;

  async ping(): Promise<void> {
    if (!this.reachable) throw new Error('fake engine unreachable');
  }

  async observe(): Promise<FakeObserved> {
    return { workloads: [...this.workloads].map(([service, hash]) => ({ service, hash })) };
  }

  /** A teardown (bosun down) only changes the cause: the fake has no networks or volumes to remove. */
  plan(desired: DesiredState, observed: ObservedState<FakeObserved>, teardown?: Teardown): WorkloadPlan<FakeOperation> {
    const running = new Map(observed.workloads.map((w) => [w.service, w.hash]));
    const levels = dependencyLevels(desired.services).map((level) =>
      level.flatMap((s): FakeOperation[] => {
        const hash = serviceSpecHash(s, desired.configs);
        const now = running.get(s.name);
        if (now === hash) return [];
        const gate = { start: startGate(s) };
        return now === undefined
          ? [{ kind: 'start', service: s.name, hash, cause: 'missing', ...gate }]
          : [{ kind: 'replace', service: s.name, hash, cause: 'spec changed', ...gate, batch: rolloutBatch(s) }];
      }),
    );
    const wanted = new Set(desired.services.map((s) => s.name));
    const stops = observed.workloads
      .filter((w) => !wanted.has(w.service))
      .map(
        (w): FakeOperation => ({
          kind: 'stop',
          service: w.service,
          hash: w.hash,
          cause: teardown ? 'bosun down' : 'removed from repo',
        }),
      );
    const ops = [...levels.flat(), ...stops];
    const count = (kind: string) => ops.filter((o) => o.kind === kind).length;
    const counts = {
      create: count('start'),
      replace: count('replace'),
      remove: count('stop'),
      networks: 0,
      volumes: 0,
    };
    return { prepare: [], rollout: [...levels, stops], notes: [], counts, seen: { workloads: [...running].sort() } };
  }

  async resolveImages(plan: Plan<FakeOperation>): Promise<Record<string, string>> {
    return Object.fromEntries(plan.desired.services.map((s) => [s.name, `id-of-${s.image}`]));
  }

  async pinImages(desired: DesiredState): Promise<DesiredState> {
    return desired;
  }

  async run(op: FakeOperation, ctx: RunContext): Promise<void> {
    this.calls.push(`${op.kind} ${op.service}@${ctx.release}`);
    const error = this.failWhen(op);
    if (error) throw error;
    if (op.kind === 'stop') this.workloads.delete(op.service);
    else this.workloads.set(op.service, op.hash);
  }

  async watch(): Promise<EventFeed> {
    return { close: () => undefined };
  }

  async endpoints(): Promise<Endpoint[]> {
    return [];
  }
}

registerDescriber('fake', {
  symbol: (op) => (op.kind === 'stop' ? '-' : op.kind === 'replace' ? '~' : '+'),
  verb: (op) => op.kind,
  target: (op) => `workload ${op.service}`,
  changes: () => undefined,
  json: (op) => ({ service: op.service }),
});
