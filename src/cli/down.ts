import { projectNameOf } from '../formats/index.ts';
import type { Plan } from '../model/plan.ts';
import { pinnedText } from '../release/down-pin.ts';
import { takeDown, type DownTarget } from '../session/down.ts';
import { fetchArtifact } from '../source/git.ts';
import { projectOverride, sourceOptions, withSession, type CommonOptions } from './context.ts';
import { outputFormat, printer, releaseLine, renderPlan } from './reconcile.ts';

export interface DownFlags extends CommonOptions {
  dryRun?: boolean;
  detailedExitcode?: boolean;
  volumes?: boolean;
  keys?: boolean;
}

/**
 * `bosun down`: prints what goes, takes it away unless --dry-run, records a release and pins the
 * project down. Exit codes as for reconcile: with --detailed-exitcode, 2 when something goes.
 */
export async function downCommand(flags: DownFlags): Promise<number> {
  const format = outputFormat(flags.output);
  const p = printer(format);
  const target = await downTarget(flags);
  const onPlan = (plan: Plan) => {
    p.out(renderPlan(plan, format));
    if (!flags.dryRun && plan.operations.length > 0) p.progress('\ntaking down:\n');
  };
  const opts = { dryRun: Boolean(flags.dryRun), volumes: Boolean(flags.volumes), keys: Boolean(flags.keys), onPlan };
  const result = await withSession(flags, p, (session) => takeDown(session, target, opts));
  if (result.release) p.progress(releaseLine(result.release));
  if (result.pin) p.progress(`${target.project} ${pinnedText(result.pin)}\n`);
  return flags.detailedExitcode && result.plan.operations.length > 0 ? 2 : 0;
}

/**
 * `--project NAME` alone needs no repository: the stack is taken down at the revision of its
 * release in force. With a repository (--repo, BOSUN_REPO, or the default `.`), the revision is
 * git's now, and the project is the one it names, even when its manifests are broken.
 */
async function downTarget(flags: DownFlags): Promise<DownTarget> {
  const named = projectOverride(flags);
  if (named && flags.repo === undefined && process.env.BOSUN_REPO === undefined) return { project: named };
  const artifact = await fetchArtifact(sourceOptions(flags));
  const at = { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision };
  return { project: named ?? projectNameOf(artifact), at };
}
