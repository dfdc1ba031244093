import { BosunError, Codes } from '../errors.ts';
import type { KeyOperation } from '../model/plan.ts';
import type { KvStore } from '../ports.ts';
import { updateOwnedKeys } from '../store/owned-keys.ts';
import type { RecordSealer } from '../trust/sealer.ts';

/** One Config key operation, as compare-and-set writes on the state store. */
export async function runKeyOperation(
  op: KeyOperation,
  kv: KvStore,
  sealer: RecordSealer,
  project: string,
): Promise<void> {
  switch (op.kind) {
    case 'put-key':
      // owned first: a crash between the two leaves a key bosun knows it may delete
      await updateOwnedKeys(kv, sealer, project, [op.key], []);
      if (!(await kv.putIf(op.key, op.value, op.expectedVersion))) throw concurrentWrite(op.key);
      return;
    case 'delete-key':
      // a delete is a conditional write of "gone": re-check the version right before it
      if ((await kv.get(op.key))?.version !== op.expectedVersion) throw concurrentWrite(op.key);
      await kv.delete(op.key);
      return updateOwnedKeys(kv, sealer, project, [], [op.key]);
  }
}

function concurrentWrite(key: string): BosunError {
  return new BosunError(
    Codes.storeConflict,
    `key ${key} was changed by someone else after the plan was made: not overwritten (reconcile again to see the new plan)`,
  );
}
