import fs from 'node:fs/promises';
import { BosunError, Codes } from '../errors.ts';
import { maskSecrets } from '../model/mask.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { clearLapsedDown, pinHolding } from '../release/down-pin.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import type { Session } from './session.ts';
import { firstDifference } from './saved-plan-verify.ts';
import { scrubUrl } from '../source/redact.ts';
import { checkBinding, claimAlone } from './binding.ts';

const FORMAT = 'bosun-plan/v1';

interface SavedPlan {
  format: typeof FORMAT;
  plan: Plan;
}

/**
 * Written masked (and 0600 all the same): a saved plan is for review and for refusing a stale
 * apply; what runs is re-derived from git at the same revision, secrets included.
 */
export async function savePlan(file: string, plan: Plan): Promise<void> {
  const saved: SavedPlan = { format: FORMAT, plan: maskSecrets(plan) };
  await fs.writeFile(file, JSON.stringify(saved), { mode: 0o600 });
}

export async function readSavedPlan(file: string): Promise<Plan> {
  let saved: SavedPlan;
  try {
    saved = JSON.parse(await fs.readFile(file, 'utf8')) as SavedPlan;
  } catch (err) {
    throw new BosunError(Codes.usage, `cannot read plan ${file}: ${(err as Error).message}`);
  }
  if (saved?.format !== FORMAT)
    throw new BosunError(Codes.usage, `${file} is not a bosun plan (expected format ${FORMAT})`);
  return saved.plan;
}

/**
 * Applies the saved plan, or refuses. The file is only a claim: the desired state is computed
 * again from git at the recorded revision (the repo and ref are this invocation's, never taken
 * from the file alone) and must equal the file's (E_PLAN_MISMATCH); then the plan made from
 * git's desired state must be the saved one (same operations on the same observed state, else
 * E_PLAN_STALE). What runs is the plan computed here, so nothing read from the file is executed
 * (the file is written with secrets masked; the values come from git).
 */
export async function applySavedPlan(
  session: Session,
  saved: Plan,
  show: (verified: Plan) => void = () => {},
): Promise<Release | undefined> {
  const ref = checkSource(session, saved);
  const artifact = await session.fetch({ ref });
  if (artifact.revision !== saved.revision) {
    throw stale(`${saved.ref} of ${saved.repo} moved from ${short(saved.revision)} to ${short(artifact.revision)}`);
  }
  if (saved.backend !== session.backend.name)
    throw stale(`it was made for the ${saved.backend} back end, not ${session.backend.name}`);
  const desired = await session.desired(artifact);
  // the file holds secrets masked, so git's side is masked the same way before comparing
  const differs = firstDifference(maskSecrets(desired), saved.desired);
  if (differs !== undefined)
    throw mismatch(`its desired state differs from git at ${short(saved.revision)} at ${differs}`);
  const project = desired.project.name;
  await checkBinding(session, project, artifact); // refused before the host is even looked at
  await session.backend.ping();
  return withApplyLock(session, project, async (signal) => {
    const claim = await checkBinding(session, project, artifact);
    const pin = pinHolding(await session.pin(project), artifact.revision);
    if (pin)
      throw new BosunError(Codes.usage, `${project} is pinned at release ${pin.release}: run bosun resume first`);
    const now = await session.planGit(desired, { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision });
    if (now.plan.hash !== saved.hash) {
      throw stale(
        `the containers or keys changed since it was made (it had ${saved.operations.length} operation(s), a new plan has ${now.plan.operations.length})`,
      );
    }
    show(now.plan);
    if (now.plan.operations.length === 0) {
      if (claim) await claimAlone(session, project, claim);
      return undefined;
    }
    const images = await session.backend.resolveImages(now.plan, now.observed);
    const release = await applyAsRelease(session, now.plan, {
      trigger: 'cli',
      images,
      signal,
      binding: claim,
      signer: artifact.signer,
      artifact,
    });
    await clearLapsedDown(session.kv, session.sealer, project, now.plan.revision);
    return release;
  });
}

/** The ref to fetch; the plan must name this invocation's repo (and --ref, when one is given). */
function checkSource(session: Session, saved: Plan): string {
  const source = session.o.source;
  if (!source) throw new BosunError(Codes.usage, 'no repository given (--repo)');
  if (scrubUrl(saved.repo) !== scrubUrl(source.repo))
    throw mismatch(`it names the repo ${scrubUrl(saved.repo)}, not ${scrubUrl(source.repo)} (--repo)`);
  if (source.ref !== undefined && source.ref !== saved.ref)
    throw mismatch(`it was made for the ref ${saved.ref}, not ${source.ref} (--ref)`);
  return saved.ref;
}

function mismatch(why: string): BosunError {
  return new BosunError(
    Codes.planMismatch,
    `the saved plan was refused and nothing was applied: ${why}; make a new one with reconcile --dry-run --out`,
  );
}

function stale(why: string): BosunError {
  return new BosunError(
    Codes.planStale,
    `the saved plan is stale and was not applied: ${why}; make a new one with reconcile --dry-run --out`,
  );
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
