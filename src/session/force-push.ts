/**
 * A deployed ref that moved to a revision not containing the last release's was rewritten
 * (force-pushed): commits that ran are gone from its history. Applied by default — logged and
 * recorded in the release — or refused before anything changes when the flag or the host policy
 * says so.
 */
import { BosunError, Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { ForcePush } from '../model/release.ts';
import { revisionContains } from '../source/ancestry.ts';
import { unlessUntrusted } from '../trust/sealer.ts';
import type { Session } from './session.ts';

/** Compared with the newest release of the same repo and ref; undefined: a fast-forward, or unknown. */
export async function forcePushOf(session: Session, plan: Plan): Promise<ForcePush | undefined> {
  const source = session.o.source;
  if (!source) return undefined;
  // a release that fails its seal tells nothing about the ref's history: unknown, as with none
  const last = await unlessUntrusted(session.releases.newest(plan.project));
  if (!last || last.repo !== plan.repo || last.ref !== plan.ref || last.revision === plan.revision) return undefined;
  if ((await revisionContains(source, plan.revision, last.revision)) !== false) return undefined;
  const moved = `${plan.ref} of ${plan.repo} was force-pushed: ${plan.revision.slice(0, 12)} does not contain ${last.revision.slice(0, 12)}, applied by release ${last.number}`;
  const by = refusedBy(session);
  if (by) {
    throw new BosunError(Codes.gitForcePush, `${moved}; refused ${by}`, {
      data: { ref: plan.ref, revision: plan.revision, previousRevision: last.revision, previousRelease: last.number },
    });
  }
  session.o.notice?.(`${moved}; applying it, recorded in the release`);
  return { previousRelease: last.number, previousRevision: last.revision };
}

/** `(--refuse-force-push)`, `by the host policy (FILE: git.refuseForcePush)`, or undefined: applied. */
function refusedBy(session: Session): string | undefined {
  if (session.o.source?.refuseForcePush) return '(--refuse-force-push)';
  const inForce = session.o.policy;
  if (!inForce?.policy.git.refuseForcePush) return undefined;
  return `by the host policy (${inForce.file ?? 'built-in default'}: git.refuseForcePush)`;
}
