/**
 * The web dashboard of `serve --all`: the stack list first (page-stacks.ts), then each stack's
 * pages — overview, services, releases, pending plan, live progress — as the one-project
 * dashboard draws them (server/ui/), one StackHandle per named stack. Read-only: its actions
 * (reconcile, rollback, resume) act on one project's queue, which this controller does not have.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readPin } from '../../release/pin.ts';
import type { Session } from '../../session/session.ts';
import type { RecordSealer } from '../../trust/sealer.ts';
import type { KvStore } from '../../ports.ts';
import type { Routes } from '../http.ts';
import { errorFields, type Logger } from '../log.ts';
import type { Attempt, StatusSnapshot } from '../status.ts';
import { Dashboard, isDashboardPath } from '../ui/dashboard.ts';
import { UI } from '../ui/layout.ts';
import { sendHtml } from '../ui/respond.ts';
import type { StackHandle } from '../ui/stacks.ts';
import { type StackBoard, type StackEntry, stackList } from './board.ts';
import { clusterStackListPage, type StackListController } from './page-stacks.ts';
import type { StackBatch } from './runner.ts';

/** What /status says of the controller, the same for every stack. */
export type ControllerView = StackListController &
  Pick<StatusSnapshot, 'queue' | 'lastWebhook' | 'lastDrift' | 'startedAt'>;

export interface StacksDashboardDeps {
  board: StackBoard;
  sessionFor: (stackPath: string) => Session;
  controller: () => ControllerView;
  /** the folder the stacks are under in the repo ('' for the root) */
  root: string;
  kv: KvStore;
  sealer: RecordSealer;
  enqueue: (batch: StackBatch) => string;
  log: Logger;
}

export class StacksDashboard {
  private readonly dashboard: Dashboard;

  constructor(private readonly d: StacksDashboardDeps) {
    this.dashboard = new Dashboard({ stacks: { list: () => this.handles() }, log: d.log });
  }

  /** A line of a stack's running pass, for the pages watching it. */
  progress(project: string, line: string, ms?: number): void {
    this.dashboard.progress.add(project, 'progress', line, ms);
  }

  close(): void {
    this.dashboard.close();
  }

  route(): NonNullable<Routes['ui']> {
    return {
      owns: isDashboardPath,
      handle: (req, res, path) => this.handle(req, res, path),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    if (path === `${UI}/` && (req.method === 'GET' || req.method === 'HEAD')) return this.list(res);
    return this.dashboard.handle(req, res, path);
  }

  private list(res: ServerResponse): void {
    const page = clusterStackListPage(stackList(this.d.board), this.d.controller(), { mode: 'read-only' });
    sendHtml(res, 200, page);
  }

  /** The stacks with a project name, still in the repo: those have releases and pages. */
  private handles(): StackHandle[] {
    return [...this.d.board.entries.values()]
      .filter((e) => e.project && !e.gone)
      .map((e) => ({
        project: e.project!,
        session: this.d.sessionFor(e.path),
        status: () => this.snapshot(e),
        // never called: the Dashboard is made without a token, so it refuses every action
        enqueue: (b) => this.d.enqueue({ reconcile: b.reconcile, heal: b.heal ? [e.path] : [] }),
      }));
  }

  private async snapshot(e: StackEntry): Promise<StatusSnapshot> {
    const c = this.d.controller();
    let pinned = null;
    let pinError: string | undefined;
    try {
      pinned = (await readPin(this.d.kv, this.d.sealer, e.project!)) ?? null;
    } catch (err) {
      pinError = errorFields(err).message;
    }
    return {
      repo: c.repo,
      ref: c.ref,
      path: this.d.root ? `${this.d.root}/${e.path}` : e.path,
      project: e.project!,
      applied: e.applied ?? null,
      lastAttempt: attemptOf(e),
      lastWebhook: c.lastWebhook,
      lastDrift: c.lastDrift,
      queue: c.queue,
      pinned,
      ...(pinError !== undefined && { pinError }),
      leader: c.leader,
      leaderName: c.leaderName,
      draining: c.draining,
      startedAt: c.startedAt,
    };
  }
}

/** A stack's last pass as the one-project dashboard reads it (a prune ran within a poll or webhook pass). */
function attemptOf(e: StackEntry): Attempt | null {
  const p = e.lastPass;
  if (!p) return null;
  const trigger = p.trigger === 'prune' ? 'poll' : p.trigger;
  return { ...p, trigger };
}
