import { clearPin } from '../../release/pin.ts';
import { rollbackTo } from '../../session/rollback.ts';
import { type Outcome, type PassDeps, reconcilePass } from '../passes.ts';

/** What a person asks for on the dashboard, beside "reconcile now" (a plain reconcile batch). */
export type StackAction = { kind: 'rollback'; release: number } | { kind: 'resume' };

export function describeAction(a: StackAction): string {
  return a.kind === 'rollback' ? `roll back to release ${a.release}` : 'resume';
}

/**
 * Runs on the controller's queue, like a webhook's pass, with the semantics of the CLI verbs:
 * `bosun rollback N` (re-apply N as a new release and pin there) and `bosun resume` (unpin, then
 * converge to git as a deliberate trigger, so a revision that failed before is tried again).
 */
export async function actionPass(action: StackAction, d: PassDeps): Promise<Outcome> {
  if (action.kind === 'rollback') {
    const r = await rollbackTo(d.session, d.project, action.release);
    return {
      result: r.release ? 'applied' : 'pinned',
      revision: r.target.revision,
      release: r.release?.number ?? r.pinnedTo,
      repaired: 0,
      reason: `pinned at release ${r.pinnedTo} (the state of release ${r.target.number})`,
    };
  }
  const pin = await d.session.pin(d.project);
  await clearPin(d.session.kv, d.project);
  d.log.info(
    { project: d.project, was: pin?.release },
    pin ? `unpinned (was at release ${pin.release})` : 'was not pinned',
  );
  return reconcilePass('webhook', d);
}
