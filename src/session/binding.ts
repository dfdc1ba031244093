/**
 * The project binding in a pass (release/binding.ts decides, binding-record.ts reads and
 * writes): checked before anything is planned, written with the first release a source
 * records, or alone when that source's pass has nothing to apply.
 */
import { BosunError, Codes } from '../errors.ts';
import type { BindingNote } from '../model/release.ts';
import type { Artifact } from '../ports.ts';
import { type Binding, decideBinding, sourceOf, sourceText } from '../release/binding.ts';
import { type BindingClaim, claimOf, readBinding, writeClaim } from '../release/binding-record.ts';
import { actor } from './lock.ts';
import type { Session } from './session.ts';

/**
 * Throws E_PROJECT_BOUND when `artifact` is not the source `project` is bound to (and nothing
 * hands it over); returns the binding to write when this source binds it, undefined when it
 * already does.
 */
export async function checkBinding(
  session: Session,
  project: string,
  artifact: Artifact,
): Promise<BindingClaim | undefined> {
  const claimant = sourceOf(artifact.repo, artifact.path);
  const read = await readBinding(session.kv, session.sealer, project);
  // only asked when there is no binding: a project applied before bindings existed
  const hasReleases = !read.binding && (await session.releases.newest(project)) !== undefined;
  const decision = decideBinding({
    project,
    bound: read.binding,
    claimant,
    takeOver: session.o.takeOverProject,
    allowTakeover: session.o.allowTakeover,
    hasReleases,
  });
  if (decision.action === 'keep') return undefined;
  const binding: Binding = {
    ...claimant,
    since: new Date().toISOString(),
    by: actor(),
    reason: decision.reason,
    ...(decision.from && { from: decision.from }),
    ...(decision.via && { via: decision.via }),
  };
  return claimOf(session.sealer, project, read, binding);
}

/** What a release records of the binding it wrote. */
export function noteOf(b: Binding): BindingNote {
  const { repo, path, reason, from, via } = b;
  return { reason, source: { repo, path }, ...(from && { from }), ...(via && { via }) };
}

/** One log line for a binding written: a takeover and an upgrade must never pass silently. */
export function bindingNotice(project: string, b: Binding): string {
  const to = sourceText(b);
  if (b.reason === 'takeover') {
    const how = b.via === 'policy' ? 'the host policy' : `--take-over-project ${project}`;
    return `project "${project}" taken over from ${sourceText(b.from!)} by ${to} (${how})`;
  }
  if (b.reason === 'upgrade') return `project "${project}" had releases but no binding: bound to ${to}`;
  return `project "${project}" bound to ${to}`;
}

/**
 * Writes the binding with no release (the pass had nothing to apply: the takeover or the
 * upgrade still holds from now on). The caller holds the apply lock.
 */
export async function claimAlone(session: Session, project: string, claim: BindingClaim): Promise<void> {
  if (!(await writeClaim(session.kv, claim))) {
    throw new BosunError(
      Codes.storeConflict,
      `${claim.key} changed while project ${project} was being bound: nothing applied, try again`,
      { data: { project, key: claim.key } },
    );
  }
  session.o.notice?.(bindingNotice(project, claim.binding));
}
