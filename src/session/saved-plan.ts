import fs from 'node:fs/promises';
import { BosunError, Codes } from '../errors.ts';
import { maskSecrets } from '../model/mask.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { readPin } from '../release/pin.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import type { Session } from './session.ts';

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
 * Applies exactly the saved plan, or refuses: if the ref moved to another commit, or the
 * containers or keys are no longer what the plan was computed from, the plan is stale. The
 * file is never trusted to say what runs: the plan is made again from git at the saved
 * revision, and only an identical one (same hash) is applied.
 */
export async function applySavedPlan(session: Session, saved: Plan): Promise<Release | undefined> {
  const artifact = await session.fetch({ repo: saved.repo, ref: saved.ref });
  if (artifact.revision !== saved.revision) {
    throw stale(`${saved.ref} of ${saved.repo} moved from ${short(saved.revision)} to ${short(artifact.revision)}`);
  }
  if (saved.backend !== session.backend.name)
    throw stale(`it was made for the ${saved.backend} back end, not ${session.backend.name}`);
  await session.backend.ping();
  return withApplyLock(session, saved.project, async (signal) => {
    const pin = await readPin(session.kv, saved.project);
    if (pin)
      throw new BosunError(Codes.usage, `${saved.project} is pinned at release ${pin.release}: run bosun resume first`);
    const now = await session.planFor(await session.desired(artifact), {
      repo: saved.repo,
      ref: saved.ref,
      revision: saved.revision,
    });
    if (now.plan.hash !== saved.hash) {
      throw stale(
        `the containers or keys changed since it was made (it had ${saved.operations.length} operation(s), a new plan has ${now.plan.operations.length})`,
      );
    }
    if (now.plan.operations.length === 0) return undefined;
    const images = await session.backend.resolveImages(now.plan, now.observed);
    return applyAsRelease(session, now.plan, { trigger: 'cli', images, signal });
  });
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
