import type { Endpoint } from '../../model/endpoint.ts';
import type { Release } from '../../model/release.ts';
import type { Session } from '../../session/session.ts';
import { unlessUntrusted } from '../../trust/sealer.ts';
import type { Batch } from '../runner.ts';
import type { StatusSnapshot } from '../status.ts';
import { type SyncVerdict, syncState } from './sync-state.ts';

/**
 * One stack the dashboard shows: what the controller that runs it knows and how to ask it for
 * work. The dashboard reads every stack through this and lists them first (stacks.ts is the
 * only place that knows where they come from), so a controller that runs many stacks hands
 * over many.
 */
export interface StackHandle {
  project: string;
  session: Session;
  /** what /status says about this stack */
  status(): Promise<StatusSnapshot>;
  /** queues work on the controller's one queue (the same one webhooks feed) */
  enqueue(batch: Batch): string;
}

export interface StackDirectory {
  list(): StackHandle[];
}

export interface StackView {
  handle: StackHandle;
  status: StatusSnapshot;
  newest?: Release;
  inForce?: Release;
  /** the newest git revision a pass saw (the newest release's, when the last pass failed) */
  seen?: string;
  sync: SyncVerdict;
}

/** A few reads of the store per view; nothing is kept between requests. */
export async function stackView(handle: StackHandle): Promise<StackView> {
  const { session, project } = handle;
  const [status, newest, inForce] = await Promise.all([
    handle.status(),
    unlessUntrusted(session.releases.newest(project)),
    unlessUntrusted(session.releaseInForce(project)),
  ]);
  // a drift pass re-applies the release in force: its revision says nothing of what git holds
  const fromGit = status.lastAttempt?.trigger === 'drift' ? undefined : status.lastAttempt?.revision;
  const seen = fromGit ?? newest?.revision;
  return { handle, status, newest, inForce, seen, sync: syncState(status, newest, seen) };
}

/** What runs of one service, next to what its release asks for. */
export interface ServiceView {
  name: string;
  image: string;
  wanted: number;
  running: number;
  healthy: number;
  /** images the running replicas were created from, when they differ from `image` */
  runningImages: string[];
  endpoints: Endpoint[];
}

/** A workload as the back ends that list containers (docker) observe one; others show counts as unknown. */
interface ListedWorkload {
  service: string;
  image: string;
  state: string;
  health: string;
}

export async function servicesView(handle: StackHandle, inForce: Release | undefined): Promise<ServiceView[]> {
  const { session, project } = handle;
  const [observed, endpoints] = await Promise.all([
    session.backend.observe(project),
    session.backend.endpoints(project),
  ]);
  const workloads = listed(observed);
  const names = new Set([...(inForce?.desired.services.map((s) => s.name) ?? []), ...workloads.map((w) => w.service)]);
  return [...names].sort().map((name) => {
    const spec = inForce?.desired.services.find((s) => s.name === name);
    const mine = workloads.filter((w) => w.service === name && w.state === 'running');
    const image = spec?.image ?? mine[0]?.image ?? '—';
    return {
      name,
      image,
      wanted: spec?.replicas ?? 0,
      running: mine.length,
      healthy: mine.filter((w) => w.health === 'healthy' || w.health === 'none').length,
      runningImages: [...new Set(mine.map((w) => w.image))].filter((i) => i !== image),
      endpoints: endpoints.filter((e) => e.service === name),
    };
  });
}

function listed(observed: unknown): ListedWorkload[] {
  const containers = (observed as { containers?: unknown }).containers;
  return Array.isArray(containers) ? (containers as ListedWorkload[]) : [];
}
