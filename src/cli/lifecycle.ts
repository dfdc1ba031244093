import { reconcile } from '../session/reconcile.ts';
import { rollbackTo } from '../session/rollback.ts';
import { applySavedPlan, readSavedPlan } from '../session/saved-plan.ts';
import { BosunError, Codes } from '../errors.ts';
import { renderText } from '../plan/render.ts';
import { clearPin, readPin } from '../release/pin.ts';
import { dockerRuntime, lockWaitMs, projectName, projectOverride, sourceOptions, useColor, withStore, type CommonOptions } from './context.ts';
import { printer, releaseLine } from './reconcile.ts';

/** `bosun rollback N`: re-apply release N as a new release and pin the stack there. */
export async function rollbackCommand(n: string, flags: CommonOptions): Promise<number> {
  const number = Number(n);
  if (!Number.isInteger(number) || number < 1) throw new BosunError(Codes.usage, `release number must be a positive integer, not "${n}"`);
  const project = await projectName(flags);
  const p = printer('text');
  const result = await withStore(flags, (kv) =>
    rollbackTo({ project, number, runtime: dockerRuntime(flags), kv, lockWaitMs: lockWaitMs(flags), onPlan: (plan) => p.out(renderText(plan, { color: useColor() })), progress: p.progress, notice: p.notice }),
  );
  if (result.release) p.out(releaseLine(result.release));
  p.out(`pinned ${project} at release ${result.pinnedTo} (the state of release ${result.target.number}); polling and webhooks will not move it until: bosun resume\n`);
  return 0;
}

/** `bosun resume`: unpin, then converge to git as a normal reconcile. */
export async function resumeCommand(flags: CommonOptions): Promise<number> {
  const project = await projectName(flags);
  const p = printer('text');
  return withStore(flags, async (kv) => {
    const pin = await readPin(kv, project);
    await clearPin(kv, project);
    p.out(pin ? `unpinned ${project} (was pinned at release ${pin.release})\n` : `${project} was not pinned\n`);
    const result = await reconcile({
      source: sourceOptions(flags),
      project: projectOverride(flags),
      dryRun: false,
      trigger: 'cli',
      runtime: dockerRuntime(flags),
      kv,
      onPlan: (plan) => p.out(renderText(plan, { color: useColor() })),
      progress: p.progress,
      notice: p.notice,
      lockWaitMs: lockWaitMs(flags),
    });
    if (result.release) p.out(releaseLine(result.release));
    return 0;
  });
}

/** `bosun apply plan.json`: exactly the saved plan, refused when stale. */
export async function applyCommand(file: string, flags: CommonOptions): Promise<number> {
  const plan = await readSavedPlan(file);
  const p = printer('text');
  p.out(renderText(plan, { color: useColor() }));
  const { repo: _repo, ref: _ref, ...source } = sourceOptions(flags);
  const release = await withStore(flags, (kv) =>
    applySavedPlan({ plan, source, runtime: dockerRuntime(flags), kv, lockWaitMs: lockWaitMs(flags), progress: p.progress, notice: p.notice }),
  );
  p.out(release ? releaseLine(release) : 'nothing to apply\n');
  return 0;
}
