/**
 * One drift watcher per named stack of a cluster repo, each healing only its stack: the set
 * follows the board after every batch (a stack that left and was pruned loses its watcher).
 */
import type { Backend } from '../../backends/backend.ts';
import type { DriftClock } from '../drift-clock.ts';
import { DriftWatcher } from '../drift.ts';
import type { Logger } from '../log.ts';
import type { OwnActivity } from '../own-activity.ts';
import type { StackBoard } from './board.ts';

export interface StackWatcherDeps {
  backend: Backend;
  activity: OwnActivity;
  clock: DriftClock;
  log: Logger;
  heal: (stackPath: string) => void;
}

export class StackWatchers {
  private readonly watchers = new Map<string, { project: string; watcher: DriftWatcher }>();

  constructor(private readonly d: StackWatcherDeps) {}

  /** Watches every named stack still in the repo; with `adding` false, only stops the others. */
  follow(board: StackBoard, adding: boolean): void {
    const want = new Map(
      [...board.entries.values()].filter((e) => e.project && !e.gone).map((e) => [e.path, e.project!]),
    );
    for (const [path, w] of this.watchers)
      if (want.get(path) !== w.project) {
        w.watcher.stop();
        this.watchers.delete(path);
      }
    if (!adding) return;
    for (const [path, project] of want) {
      if (this.watchers.has(path)) continue;
      const heal = () => this.d.heal(path);
      const watcher = new DriftWatcher({
        backend: this.d.backend,
        project,
        activity: this.d.activity,
        clock: this.d.clock,
        log: this.d.log.child({ stack: path }),
        onDrift: heal,
        onResync: heal,
      });
      this.watchers.set(path, { project, watcher });
      watcher.start();
    }
  }

  stop(): void {
    for (const w of this.watchers.values()) w.watcher.stop();
    this.watchers.clear();
  }
}
