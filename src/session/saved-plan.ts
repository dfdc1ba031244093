import fs from 'node:fs/promises';
import { resolveImages } from '../apply/execute.ts';
import { BosunError, Codes } from '../errors.ts';
import type { Operation, Plan } from '../model/plan.ts';
import type { Release } from '../model/release.ts';
import { plan as makePlan } from '../plan/plan.ts';
import type { ContainerRuntime, GitSourceOptions, KvStore } from '../ports.ts';
import { readPin } from '../release/pin.ts';
import { fetchArtifact } from '../source/git.ts';
import { observe } from '../state/observe.ts';
import { withApplyLock } from './lock.ts';
import { applyAsRelease } from './release-apply.ts';

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
  if (saved?.format !== FORMAT) throw new BosunError(Codes.usage, `${file} is not a bosun plan (expected format ${FORMAT})`);
  return saved.plan;
}

export interface ApplySavedOptions {
  plan: Plan;
  source: Omit<GitSourceOptions, 'repo' | 'ref'>;
  runtime: ContainerRuntime;
  kv: KvStore;
  progress?: (line: string, op: Operation, ms: number) => void;
  notice?: (line: string) => void;
  lockWaitMs?: number;
}

/**
 * Applies exactly the saved plan, or refuses: if the ref moved to another commit, or the
 * containers or keys are no longer what the plan was computed from, the plan is stale.
 */
export async function applySavedPlan(opts: ApplySavedOptions): Promise<Release | undefined> {
  const saved = opts.plan;
  const artifact = await fetchArtifact({ ...opts.source, repo: saved.repo, ref: saved.ref });
  if (artifact.revision !== saved.revision) {
    throw stale(`${saved.ref} of ${saved.repo} moved from ${short(saved.revision)} to ${short(artifact.revision)}`);
  }
  await opts.runtime.ping();
  return withApplyLock(opts.kv, saved.project, opts.lockWaitMs, async (signal) => {
    const pin = await readPin(opts.kv, saved.project);
    if (pin) throw new BosunError(Codes.usage, `${saved.project} is pinned at release ${pin.release}: run bosun resume first`);
    const observed = await observe(opts.runtime, opts.kv, saved.desired);
    const now = makePlan(saved.desired, observed, { repo: saved.repo, ref: saved.ref, revision: saved.revision });
    if (now.hash !== saved.hash) {
      throw stale(`the containers or keys changed since it was made (it had ${saved.operations.length} operation(s), a new plan has ${now.operations.length})`);
    }
    if (saved.operations.length === 0) return undefined;
    const images = await resolveImages(saved, observed, opts.runtime);
    return applyAsRelease(saved, { runtime: opts.runtime, kv: opts.kv, trigger: 'cli', images, progress: opts.progress, notice: opts.notice, signal });
  });
}

function stale(why: string): BosunError {
  return new BosunError(Codes.planStale, `the saved plan is stale and was not applied: ${why}; make a new one with reconcile --dry-run --out`);
}

function short(sha: string): string {
  return sha.slice(0, 12);
}
