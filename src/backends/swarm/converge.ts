/**
 * Waiting for a service to run its new spec: the swarm places and starts tasks; bosun counts the
 * tasks of the new spec hash that run (a task with a healthcheck runs only once healthy), says
 * each task's moves as they happen, and fails on a paused update or tasks that keep failing.
 */
import type { DrainTarget } from '../../coord/drain.ts';
import { BosunError, Codes } from '../../errors.ts';
import type { StartGate } from '../../model/plan.ts';
import { handovers } from './handover.ts';
import type { ObservedTask } from './model.ts';
import type { SwarmRuntime } from './runtime.ts';

const POLL_MS = 250;
/**
 * A task of the new spec that failed fails the service: the swarm would restart it and hide a
 * version that exits at start, where one engine's back end sees the container die.
 */
const FAILED_TASKS_LIMIT = 1;
/** Running tasks must stay so this long (or the update's monitor period, if longer): a task that exits at start is seen. */
const MIN_STEADY_MS = 1500;
/**
 * Beside each task's own ready time: the swarm schedules the tasks and each node attaches them to
 * the overlay networks before they start (measured ~25–35 s for 8 tasks on a new overlay network
 * on the 3-engine harness, against ~5 s without one).
 */
const PLACEMENT_MS = 60_000;

export interface ConvergeTarget {
  serviceId: string;
  /** `web`, for progress lines (`web.2 on node h2: running`) */
  service: string;
  hash: string;
  replicas: number;
  start: StartGate;
  /** how many replicas are replaced at once: bounds how long a rolling update may take */
  parallelism: number;
  progress?: (line: string) => void;
  /** takes a replaced task out of the proxies' rotation (coord/drain.ts); absent: nobody routes through bosun */
  drain?: (target: DrainTarget) => Promise<void>;
}

export async function waitConverged(engine: SwarmRuntime, t: ConvergeTarget): Promise<void> {
  const nodes = new Map((await engine.listNodes()).map((n) => [n.id, n.hostname]));
  const rounds = Math.max(1, Math.ceil(t.replicas / Math.max(1, t.parallelism)));
  const limitMs = t.start.readyTimeoutMs * rounds + PLACEMENT_MS;
  const deadline = Date.now() + limitMs;
  const seen = new Map<string, string>();
  const drains = drainer(t);
  for (;;) {
    const all = await engine.serviceTasks(t.serviceId);
    drains.see(all);
    const tasks = all.filter((x) => x.specHash === t.hash);
    report(tasks, seen, nodes, t);
    const failed = tasks.filter((x) => x.state === 'failed' || x.state === 'rejected');
    if (failed.length >= FAILED_TASKS_LIMIT) throw taskFailure(t, failed, nodes);
    const svc = await engine.inspectService(t.serviceId);
    if (svc?.updateState === 'paused' || svc?.updateState?.startsWith('rollback'))
      throw taskFailure(t, failed, nodes, `the swarm ${svc.updateState.replace('_', ' ')} the update`);
    const running = tasks.filter((x) => x.state === 'running' && x.desiredState === 'running');
    const updating = svc?.updateState === 'updating';
    if (running.length >= t.replicas && !updating) break;
    if (Date.now() > deadline)
      throw taskFailure(t, failed, nodes, `${running.length}/${t.replicas} tasks running after ${limitMs} ms`);
    await sleep(POLL_MS);
  }
  await monitor(engine, t, nodes, Math.max(t.start.monitorMs, MIN_STEADY_MS), drains);
  await drains.done();
}

/**
 * Drains started as each successor is seen running (the swarm is already stopping the old task,
 * so the poll goes on meanwhile); awaited once the rollout is done, the first failure thrown then.
 */
function drainer(t: ConvergeTarget) {
  const started = new Set<string>();
  const running: Promise<void>[] = [];
  let failure: unknown;
  return {
    see(tasks: ObservedTask[]): void {
      if (!t.drain) return;
      for (const h of handovers(tasks, t.hash)) {
        if (started.has(h.oldId)) continue;
        started.add(h.oldId);
        t.progress?.(`${t.service}.${h.slot}: task ${h.oldId.slice(0, 12)} replaced, draining`);
        const target = { service: t.service, replica: h.slot, id: h.oldId, successor: true };
        running.push(t.drain(target).catch((err: unknown) => void (failure ??= err)));
      }
    },
    async done(): Promise<void> {
      await Promise.all(running);
      if (failure !== undefined) throw failure;
    },
  };
}

/** After the rollout: every new task must keep running for the monitor period. */
async function monitor(
  engine: SwarmRuntime,
  t: ConvergeTarget,
  nodes: Map<string, string>,
  ms: number,
  drains: ReturnType<typeof drainer>,
): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    await sleep(POLL_MS);
    const all = await engine.serviceTasks(t.serviceId);
    drains.see(all);
    const tasks = all.filter((x) => x.specHash === t.hash);
    const failed = tasks.filter((x) => x.state === 'failed' || x.state === 'rejected');
    if (failed.length > 0) throw taskFailure(t, failed, nodes, 'a task failed during the monitor period');
    const running = tasks.filter((x) => x.state === 'running' && x.desiredState === 'running');
    if (running.length < t.replicas)
      throw taskFailure(t, failed, nodes, `${running.length}/${t.replicas} tasks kept running for ${ms} ms`);
  }
}

function report(tasks: ObservedTask[], seen: Map<string, string>, nodes: Map<string, string>, t: ConvergeTarget) {
  for (const task of tasks) {
    const line = `${t.service}.${task.slot ?? task.id.slice(0, 6)} on node ${nodes.get(task.nodeId) ?? (task.nodeId.slice(0, 12) || '(unassigned)')}: ${task.state}`;
    if (seen.get(task.id) === line) continue;
    seen.set(task.id, line);
    t.progress?.(task.error && task.state !== 'running' ? `${line} (${task.error})` : line);
  }
}

function taskFailure(t: ConvergeTarget, failed: ObservedTask[], nodes: Map<string, string>, why?: string): BosunError {
  const last = failed.at(-1);
  const where = last
    ? ` ${t.service}.${last.slot ?? '?'} on node ${nodes.get(last.nodeId) ?? last.nodeId}: ${last.error ?? last.state}`
    : '';
  const head = why ?? `${failed.length} task(s) of the new spec failed`;
  return new BosunError(Codes.containerFailed, `service ${t.service}: ${head}${where ? ` — last:${where}` : ''}`, {
    data: { service: t.service },
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
