import fs from 'node:fs/promises';
import { BosunError, Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { clearLapsedDown, pinHolding } from '../release/down-pin.ts';
import { readPin } from '../release/pin.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import type { Session } from './session.ts';

const FORMAT = 'bosun-plan/v1';

interface SavedPlan {
  format: typeof FORMAT;
  plan: Plan;
}

/** Written 0600: blueprints hold resolved environments, secrets included. */
export async function savePlan(file: string, plan: Plan): Promise<void> {
  const saved: SavedPlan = { format: FORMAT, plan };
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
 * containers or keys are no longer what the plan was computed from, the plan is stale.
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
    const pin = pinHolding(await readPin(session.kv, saved.project), saved.revision);
    if (pin)
      throw new BosunError(Codes.usage, `${saved.project} is pinned at release ${pin.release}: run bosun resume first`);
    const now = await session.planFor(saved.desired, { repo: saved.repo, ref: saved.ref, revision: saved.revision });
    if (now.plan.hash !== saved.hash) {
      throw stale(
        `the containers or keys changed since it was made (it had ${saved.operations.length} operation(s), a new plan has ${now.plan.operations.length})`,
      );
    }
    if (saved.operations.length === 0) return undefined;
    const images = await session.backend.resolveImages(saved, now.observed);
    const release = await applyAsRelease(session, saved, { trigger: 'cli', images, signal });
    await clearLapsedDown(session.kv, saved.project, saved.revision);
    return release;
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
