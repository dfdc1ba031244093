/**
 * What serve tells the outside world, as plain data: built from a release record or a pass's
 * outcome, with every secret value of the stack masked out of error text. Pure (the clock and the
 * host are given), so what a receiver gets is tested without a controller.
 */
import type { Release } from '../../model/release.ts';
import { maskValues, secretValues } from '../../model/mask.ts';
import { scrubUrl } from '../../source/redact.ts';

export const EVENT_NAMES = [
  'release.started',
  'release.succeeded',
  'release.failed',
  'release.rolled-back',
  'drift.repaired',
  'stack.pinned',
  'stack.resumed',
  'leader.changed',
] as const;
export type EventName = (typeof EVENT_NAMES)[number];

/** The controller that saw it happen: several may run for one project. */
export interface ControllerRef {
  host: string;
  /** host:pid, as in the leader election */
  instance: string;
}

export interface NotifyEvent {
  event: EventName;
  /** unique per event, the same in every retry of its delivery (receivers drop repeats by it) */
  id: string;
  project: string;
  /** when it happened (ISO) */
  at: string;
  /** one line for people */
  summary: string;
  release?: number;
  revision?: string;
  repo?: string;
  ref?: string;
  trigger?: string;
  /** the release's status, the pass's result, or the leadership */
  result: string;
  error?: { code: string; message: string };
  startedAt?: string;
  finishedAt?: string;
  /** drift.repaired: operations the heal applied */
  repaired?: number;
  /** leader.changed: who leads now (absent: nobody) */
  leader?: string;
  controller: ControllerRef;
  /** the dashboard, when the notify config names it */
  url?: string;
}

export interface EventContext {
  controller: ControllerRef;
  id: () => string;
  now: () => Date;
  dashboardUrl?: string;
}

const RELEASE_EVENTS: Record<Release['status'], EventName> = {
  applying: 'release.started',
  succeeded: 'release.succeeded',
  failed: 'release.failed',
  'rolled-back': 'release.rolled-back',
  // the process that applied it died: as good as failed for whoever waits on it
  interrupted: 'release.failed',
};

/** A release as recorded (`applying`) or finished; its desired state never leaves this function. */
export function releaseEvent(r: Release, ctx: EventContext): NotifyEvent {
  const error = r.error && { code: r.error.code, message: maskValues(r.error.message, secretValues(r.desired)) };
  const verb = r.status === 'applying' ? 'applying' : r.status.replace('-', ' ');
  const summary = `${r.project}: release ${r.number} ${verb} (${r.revision.slice(0, 12)})${error ? `: ${error.message}` : ''}`;
  return {
    ...head(RELEASE_EVENTS[r.status], r.project, summary, ctx),
    release: r.number,
    revision: r.revision,
    repo: scrubUrl(r.repo),
    ref: r.ref,
    trigger: r.trigger,
    result: r.status,
    ...(error && { error }),
    startedAt: r.startedAt,
    ...(r.finishedAt && { finishedAt: r.finishedAt }),
  };
}

export function driftEvent(
  project: string,
  o: { repaired: number; release?: number; revision?: string },
  ctx: EventContext,
): NotifyEvent {
  const where = o.release ? ` back to release ${o.release}` : '';
  const summary = `${project}: drift repaired${where} (${o.repaired} operation${o.repaired === 1 ? '' : 's'})`;
  return {
    ...head('drift.repaired', project, summary, ctx),
    ...(o.release && { release: o.release }),
    ...(o.revision && { revision: o.revision }),
    trigger: 'drift',
    result: 'healed',
    repaired: o.repaired,
  };
}

export function pinEvent(
  project: string,
  pinned: boolean,
  o: { release?: number; revision?: string },
  ctx: EventContext,
): NotifyEvent {
  const summary = pinned
    ? `${project}: pinned${o.release ? ` at release ${o.release}` : ''}: git is not applied until bosun resume`
    : `${project}: resumed: git is applied again`;
  return {
    ...head(pinned ? 'stack.pinned' : 'stack.resumed', project, summary, ctx),
    ...(o.release && { release: o.release }),
    ...(o.revision && { revision: o.revision }),
    result: pinned ? 'pinned' : 'resumed',
  };
}

export function leaderEvent(project: string, isLeader: boolean, leader: string | undefined, ctx: EventContext) {
  const me = ctx.controller.instance;
  const summary = isLeader
    ? `${project}: ${me} now leads`
    : `${project}: ${me} no longer leads (${leader ? `${leader} does` : 'no leader'})`;
  return {
    ...head('leader.changed', project, summary, ctx),
    result: isLeader ? 'elected' : 'stepped-down',
    ...(leader && { leader }),
  };
}

function head(event: EventName, project: string, summary: string, ctx: EventContext) {
  return {
    event,
    id: ctx.id(),
    project,
    at: ctx.now().toISOString(),
    summary,
    controller: ctx.controller,
    ...(ctx.dashboardUrl && { url: ctx.dashboardUrl }),
  };
}
