import fs from 'node:fs/promises';
import { BosunError, Codes } from '../errors.ts';
import type { Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import type { RecordSealer } from '../trust/sealer.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';
import type { Session } from './session.ts';

const FORMAT = 'bosun-plan/v2';

/**
 * What a reader of the file sees: where the plan is from and what it would do. The plan itself
 * (blueprints hold resolved environments, secret values included) is AES-256-GCM with the state
 * key, which also authenticates it: a plan edited or made without the key is refused.
 */
interface SavedPlan {
  format: typeof FORMAT;
  project: string;
  repo: string;
  ref: string;
  revision: string;
  summary: Plan['summary'];
  sealed: string;
}

/** Written 0600, and encrypted: only a controller holding the state key can read or apply it. */
export async function savePlan(file: string, plan: Plan, sealer: RecordSealer): Promise<void> {
  const { project, repo, ref, revision, summary } = plan;
  const sealed = sealer.encrypt(JSON.stringify(plan), FORMAT);
  const saved: SavedPlan = { format: FORMAT, project, repo, ref, revision, summary, sealed };
  await fs.writeFile(file, JSON.stringify(saved, null, 2), { mode: 0o600 });
}

export async function readSavedPlan(file: string, sealer: RecordSealer): Promise<Plan> {
  let saved: SavedPlan;
  try {
    saved = JSON.parse(await fs.readFile(file, 'utf8')) as SavedPlan;
  } catch (err) {
    throw new BosunError(Codes.usage, `cannot read plan ${file}: ${(err as Error).message}`);
  }
  if (saved?.format !== FORMAT || typeof saved.sealed !== 'string')
    throw new BosunError(Codes.usage, `${file} is not a bosun plan (expected format ${FORMAT})`);
  const plain = sealer.tryDecrypt(saved.sealed, FORMAT);
  if (plain === undefined)
    throw new BosunError(
      Codes.recordTampered,
      `plan ${file} cannot be opened with this state key (edited, or saved by a controller with another key): not applied`,
    );
  return JSON.parse(plain) as Plan;
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
    const pin = await session.pin(saved.project);
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
    return applyAsRelease(session, saved, { trigger: 'cli', images, signal });
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
