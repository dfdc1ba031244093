import { reconcile } from '../session/reconcile.ts';
import { rollbackTo } from '../session/rollback.ts';
import { applySavedPlan, readSavedPlan } from '../session/saved-plan.ts';
import { BosunError, Codes } from '../errors.ts';
import { renderText } from '../render/render.ts';
import { clearPin, readPin } from '../release/pin.ts';
import { projectName, useColor, withSession, type CommonOptions } from './context.ts';
import { printer, releaseLine } from './reconcile.ts';
import type { Plan } from '../model/plan.ts';

/** `bosun rollback N`: re-apply release N as a new release and pin the stack there. */
export async function rollbackCommand(n: string, flags: CommonOptions): Promise<number> {
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1)
    throw new BosunError(Codes.usage, `release number must be a positive integer, not "${n}"`);
  const project = await projectName(flags);
  const p = printer('text');
  const result = await withSession(flags, p, (session) =>
    rollbackTo(session, project, number, (plan) => p.out(renderText(plan, { color: useColor() }))),
  );
  if (result.release) p.out(releaseLine(result.release));
  p.out(
    `pinned ${project} at release ${result.pinnedTo} (the state of release ${result.target.number}); polling and webhooks will not move it until: bosun resume\n`,
  );
  return 0;
}

/** `bosun resume`: unpin, then converge to git as a normal reconcile. */
export async function resumeCommand(flags: CommonOptions): Promise<number> {
  const project = await projectName(flags);
  const p = printer('text');
  return withSession(flags, p, async (session) => {
    const pin = await readPin(session.kv, project);
    await clearPin(session.kv, project);
    p.out(pin ? `unpinned ${project} (was pinned at release ${pin.release})\n` : `${project} was not pinned\n`);
    const onPlan = (plan: Plan) => p.out(renderText(plan, { color: useColor() }));
    const result = await reconcile(session, { dryRun: false, trigger: 'cli', onPlan });
    if (result.release) p.out(releaseLine(result.release));
    return 0;
  });
}

/** `bosun apply plan.json`: the saved plan once git confirms it, refused when stale or edited. */
export async function applyCommand(file: string, flags: CommonOptions): Promise<number> {
  const plan = await readSavedPlan(file);
  const p = printer('text');
  // the plan shown is the one verified against git, never the file's own text
  const show = (verified: Plan) => p.out(renderText(verified, { color: useColor() }));
  const release = await withSession(flags, p, (session) => applySavedPlan(session, plan, show));
  p.out(release ? releaseLine(release) : 'nothing to apply\n');
  return 0;
}
