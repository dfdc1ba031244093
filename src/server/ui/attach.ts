import type { Session } from '../../session/session.ts';
import type { Logger } from '../log.ts';
import type { Batch } from '../runner.ts';
import type { StatusSnapshot } from '../status.ts';
import { Dashboard, isDashboardPath } from './dashboard.ts';
import { describeAction } from './actions.ts';

export interface DashboardSettings {
  /** the actions token (--ui-token-file); absent: read-only */
  token?: string;
}

/** What the controller hands the dashboard about its one stack. */
export interface ControllerStack {
  project: string;
  session: Session;
  log: Logger;
  status: () => Promise<StatusSnapshot>;
  enqueue: (batch: Batch) => string;
}

/** The dashboard of a controller that runs one stack: a directory with one entry. */
export function dashboardFor(settings: DashboardSettings, stack: ControllerStack): Dashboard {
  const handle = { project: stack.project, session: stack.session, status: stack.status, enqueue: stack.enqueue };
  return new Dashboard({ stacks: { list: () => [handle] }, token: settings.token, log: stack.log });
}

/** The route http.ts gives the dashboard's paths to. */
export function dashboardRoute(d: Dashboard) {
  return { owns: isDashboardPath, handle: d.handle.bind(d) };
}

/** Wraps a queue's run function so pages watching the stack see passes start and end. */
export function watchedRun(
  d: Dashboard | undefined,
  project: string,
  run: (b: Batch) => Promise<void>,
): (b: Batch) => Promise<void> {
  if (!d) return run;
  return async (b) => {
    d.pass(project, `pass started: ${b.action ? describeAction(b.action) : (b.reconcile ?? 'drift repair')}`);
    try {
      await run(b);
    } finally {
      d.pass(project, 'pass ended');
    }
  };
}
