import type { DesiredState } from '../model/desired.ts';
import { canonicalJson, sha256 } from '../model/hash.ts';
import { digested, maskSecrets } from '../model/mask.ts';
import type { ObservedKeys } from '../model/observed.ts';
import type { KeyOperation, Operation, OperationHead, Plan, WorkloadPlan } from '../model/plan.ts';
import { sortedAsText } from '../model/sort.ts';
import { planKeys } from './keys.ts';

export interface PlanContext {
  repo: string;
  ref: string;
  revision: string;
}

/**
 * The whole decision, as data: pure, no I/O. The back end's preparation (networks, volumes)
 * comes first, then Config keys (workloads read them when they start), then its rollout, then
 * key deletions.
 */
export function assemblePlan<W extends OperationHead>(
  backend: string,
  desired: DesiredState,
  observed: ObservedKeys,
  workloads: WorkloadPlan<W>,
  ctx: PlanContext,
): Plan<W> {
  const keys = planKeys(desired, observed);
  const phases: (W | KeyOperation)[][] = [...workloads.prepare, keys.puts, ...workloads.rollout, keys.deletes];
  const operations = phases
    .filter((p) => p.length > 0)
    .flatMap((ops, phase): Operation<W>[] => ops.map((op) => ({ ...op, phase })));
  return {
    backend,
    project: desired.project.name,
    ...ctx,
    operations,
    summary: { ...workloads.counts, keysPut: keys.puts.length, keysDeleted: keys.deletes.length },
    hash: planHash(operations, workloads.seen, observed, ctx.revision),
    notes: [...keys.notes, ...workloads.notes],
    desired,
  };
}

/**
 * Covers what the plan does and what it saw, so a saved plan can be refused once the world moved.
 * Secrets enter only as digests: the hash is printed, and the saved plan holds everything else.
 */
function planHash(
  ops: OperationHead[],
  workloads: Record<string, unknown>,
  observed: ObservedKeys,
  revision: string,
): string {
  const seen = { ...workloads, keys: sortedAsText(Object.values(observed.keys).map((k) => [k.key, k.version])) };
  return sha256(canonicalJson({ revision, ops: maskSecrets(ops, digested), seen }));
}
