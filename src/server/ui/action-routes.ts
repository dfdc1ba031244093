import { unlessUntrusted } from '../../trust/sealer.ts';
import type { Batch } from '../runner.ts';
import { describeAction, type StackAction } from './actions.ts';
import type { StackHandle } from './stacks.ts';

export type ActionDecision = { batch: Batch; label: string } | { refused: string; code: number };

/**
 * What a POST to /ui/s/<project>/<name> queues, or why it is refused before anything is queued
 * (an unknown action, a release that cannot be rolled back to, a controller that does not lead).
 */
export async function actionBatch(handle: StackHandle, name: string, form: URLSearchParams): Promise<ActionDecision> {
  const status = await handle.status();
  if (!status.leader)
    return {
      refused: `this controller is a follower${status.leaderName ? ` (${status.leaderName} leads)` : ''}: act there`,
      code: 409,
    };
  if (status.draining) return { refused: 'bosun serve is stopping', code: 503 };
  if (name === 'reconcile') return { batch: { reconcile: 'webhook', heal: true }, label: 'reconcile now' };
  let action: StackAction;
  if (name === 'resume') action = { kind: 'resume' };
  else if (name === 'rollback') {
    const number = Number(form.get('release'));
    if (!Number.isSafeInteger(number) || number < 1)
      return { refused: 'release must be a positive integer', code: 400 };
    const target = await unlessUntrusted(handle.session.releases.get(handle.project, number).catch(() => undefined));
    if (!target) return { refused: `release ${number} of ${handle.project} is not in the history`, code: 404 };
    if (target.status !== 'succeeded')
      return {
        refused: `release ${number} ${target.status}: only a release that succeeded can be rolled back to`,
        code: 409,
      };
    action = { kind: 'rollback', release: number };
  } else return { refused: `no action ${name} (reconcile, rollback, resume)`, code: 404 };
  return { batch: { heal: false, action }, label: describeAction(action) };
}
