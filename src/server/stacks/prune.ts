/**
 * Stacks whose folder left the repo. Off by default they are only reported (once per revision);
 * with --prune-stacks each is taken down as `bosun down` does (containers and networks go,
 * volumes and Config keys stay, a down pin keeps it down), under its own lock.
 */
import { takeDown } from '../../session/down.ts';
import type { StackBoard } from './board.ts';
import { type ClusterPassDeps, recorded } from './pass.ts';

export type PruneDeps = Pick<ClusterPassDeps, 'board' | 'sessionFor' | 'log' | 'metrics' | 'retryLater'>;

/** Paths whose absence was already reported, per revision: a poll a minute does not repeat it. */
const told = new WeakMap<StackBoard, Map<string, string>>();

export async function handleGone(
  d: PruneDeps,
  gone: readonly string[],
  prune: boolean,
  revision: string,
): Promise<void> {
  for (const path of gone) {
    const e = d.board.get(path);
    if (!e.project) {
      d.board.entries.delete(path);
      continue;
    }
    if (!prune) {
      const said = told.get(d.board) ?? new Map<string, string>();
      told.set(d.board, said);
      if (said.get(path) !== revision)
        d.log.warn(
          { stack: path, project: e.project, revision },
          `stack ${path} (project ${e.project}) left the repo: --prune-stacks would take it down (volumes kept)`,
        );
      said.set(path, revision);
      continue;
    }
    const project = e.project;
    await recorded(d, e, 'prune', 'gone', async () => {
      const r = await takeDown(d.sessionFor(path), { project }, { dryRun: false, volumes: false, keys: false });
      return { result: 'removed' as const, release: r.release?.number, repaired: r.plan.operations.length };
    }).then(
      () => d.board.entries.delete(path),
      () => undefined, // recorded: reported under its name, tried again by the next pass
    );
  }
}
