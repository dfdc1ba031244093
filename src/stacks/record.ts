/**
 * The stacks a cluster repo declared when last applied, kept in the state store so that a stack
 * whose folder was deleted is noticed after a restart, and by `bosun reconcile --all` as well as
 * by serve. Sealed like pins: pruning acts on it (a forged record could name any project).
 *
 *   /bosun-stacks/<sha256(repo, path)[:16]>   { repo, path, stacks: [{ path, project }] }
 *
 * The same id names the election of the repo's `serve --all` controllers (clusterElection).
 */
import { createHash } from 'node:crypto';
import type { KvStore } from '../ports.ts';
import { sourceOf } from '../release/binding.ts';
import { isUntrusted, type RecordSealer } from '../trust/sealer.ts';

export interface StackEntry {
  path: string;
  project: string;
}

interface StackSetRecord {
  repo: string;
  path: string;
  stacks: StackEntry[];
}

function clusterId(repo: string, root: string): string {
  const s = sourceOf(repo, root);
  return createHash('sha256').update(`${s.repo}\u0000${s.path}`).digest('hex').slice(0, 16);
}

export function stackSetKey(repo: string, root: string): string {
  return `/bosun-stacks/${clusterId(repo, root)}`;
}

/**
 * The leader election of a cluster repo's controllers (`serve --all`): one leader for every stack
 * of the repo and root, whatever the credentials in the URL. No project can take this name:
 * project names have no ".".
 */
export function clusterElection(repo: string, root: string): string {
  return `stacks.${clusterId(repo, root)}`;
}

/** The stacks last recorded for this repo and root; none when absent or refused by its seal. */
export async function readStackSet(
  kv: KvStore,
  sealer: RecordSealer,
  repo: string,
  root: string,
): Promise<StackEntry[]> {
  const entry = await kv.get(stackSetKey(repo, root));
  if (!entry) return [];
  try {
    const r = sealer.open<StackSetRecord>(entry, 'stack set');
    return Array.isArray(r?.stacks)
      ? r.stacks.filter((s) => typeof s?.path === 'string' && typeof s?.project === 'string')
      : [];
  } catch (err) {
    if (isUntrusted(err)) return [];
    throw err;
  }
}

/** Written only when the set differs from `before`: a pass that changes no folder writes nothing. */
export async function writeStackSet(
  kv: KvStore,
  sealer: RecordSealer,
  where: { repo: string; root: string },
  before: readonly StackEntry[],
  stacks: readonly StackEntry[],
): Promise<void> {
  const sorted = [...stacks].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (JSON.stringify(sorted) === JSON.stringify(before)) return;
  const key = stackSetKey(where.repo, where.root);
  const s = sourceOf(where.repo, where.root);
  await kv.put(key, sealer.seal(key, { repo: s.repo, path: s.path, stacks: sorted } satisfies StackSetRecord));
}
