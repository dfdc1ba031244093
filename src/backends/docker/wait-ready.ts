import type Docker from 'dockerode';
import { BosunError, Codes } from '../../errors.ts';

import { type ContainerWatch, watchContainer } from './events.ts';

/** Between inspects when the event stream cannot be had (an engine or proxy that refuses it). */
const POLL_MS = 100;
/** Inspected this often even while events flow: a safety net, not the way readiness is seen. */
const SAFETY_MS = 1_000;

type Info = Docker.ContainerInspectInfo;

/**
 * Waits until the container runs (and is healthy, when it has a healthcheck). One inspect
 * answers a container that already runs; otherwise the engine's event stream for that container
 * says when to look again (start, die, restart, health_status), instead of inspecting every
 * 100 ms. Fails fast on exit, restart or unhealthy, saying why, so the user never sees a bare "timeout".
 */
export async function waitReady(docker: Docker, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let info = await docker.getContainer(id).inspect();
  if (readiness(info) === 'ready') return;
  const watch = await openWatch(docker, info);
  try {
    for (;;) {
      if ((await verdictOf(info, watch)) === 'ready') return;
      if (Date.now() > deadline)
        throw failed(info, `not ready after ${Math.round(timeoutMs / 1000)}s${lastProbe(info)}`);
      await watch.next(Math.max(0, deadline - Date.now()));
      info = await docker.getContainer(id).inspect();
    }
  } finally {
    watch.close();
  }
}

/** 'ready' or 'pending'; throws when it failed, a restart named with the exit code its `die` event carried. */
async function verdictOf(info: Info, watch: Watch, suffix = ''): Promise<'ready' | 'pending'> {
  let verdict = readiness(info, watch.lastExitCode());
  if (verdict === 'ready' || verdict === 'pending') return verdict;
  // the `die` replayed since creation carries the code; a restarted container's State shows 0
  for (const until = Date.now() + SAFETY_MS; restarted(info) && watch.lastExitCode() === undefined; ) {
    if (Date.now() >= until) break;
    await watch.next(until - Date.now());
  }
  verdict = readiness(info, watch.lastExitCode());
  throw failed(info, verdict + suffix);
}

interface Watch {
  next(ms: number): Promise<void>;
  lastExitCode(): number | undefined;
  close(): void;
}

/**
 * The container's events since it was created (the engine's clock, so an event between the
 * inspect and the stream opening is replayed), waited on at most SAFETY_MS at a time; polling
 * every POLL_MS when the stream cannot be opened or breaks.
 */
async function openWatch(docker: Docker, info: Info): Promise<Watch> {
  let watch: ContainerWatch | undefined = await watchContainer(docker, info.Id, Date.parse(info.Created)).catch(
    () => undefined,
  );
  let exitCode: number | undefined;
  return {
    async next(ms) {
      if (watch && (await watch.next(Math.min(ms, SAFETY_MS))) !== 'lost') return;
      exitCode = watch?.lastExitCode() ?? exitCode;
      watch?.close();
      watch = undefined;
      await new Promise((r) => setTimeout(r, Math.min(ms, POLL_MS)));
    },
    lastExitCode: () => watch?.lastExitCode() ?? exitCode,
    close: () => watch?.close(),
  };
}

/**
 * The `monitor` window of an update policy: a new container must keep running (and healthy)
 * this long before its batch counts as good — catching crash-after-start. Looked at again on
 * each of its events (and at least every SAFETY_MS), and once more at the end of the window.
 */
export async function monitorReady(docker: Docker, id: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  const during = ` during its ${Math.round(ms / 1000)}s monitor period`;
  let info = await docker.getContainer(id).inspect();
  const watch = await openWatch(docker, info);
  try {
    for (;;) {
      if ((await verdictOf(info, watch, during)) === 'pending') throw failed(info, `stopped being ready${during}`);
      if (Date.now() >= until) return;
      await watch.next(Math.max(0, until - Date.now()));
      info = await docker.getContainer(id).inspect();
    }
  } finally {
    watch.close();
  }
}

const restarted = (info: Info) => info.State.Restarting || info.RestartCount > 0;

function readiness(info: Info, lastExitCode?: number): 'ready' | 'pending' | string {
  const s = info.State;
  if (restarted(info))
    return `restarted after exiting with code ${s.Restarting || lastExitCode === undefined ? s.ExitCode : lastExitCode}`;
  if (s.Status === 'exited' || s.Status === 'dead')
    return `exited with code ${s.ExitCode}${s.Error ? ` (${s.Error})` : ''}`;
  if (!s.Running) return 'pending';
  const health = s.Health?.Status;
  if (!health || health === 'healthy') return 'ready';
  if (health === 'unhealthy') return `unhealthy${lastProbe(info)}`;
  return 'pending';
}

function lastProbe(info: Info): string {
  const log = info.State.Health?.Log ?? [];
  const last = log[log.length - 1];
  if (!last) return '';
  const output = String(last.Output ?? '')
    .trim()
    .split('\n')
    .slice(-3)
    .join(' | ');
  return `; last healthcheck exited ${last.ExitCode}${output ? `: ${output}` : ''}`;
}

function failed(info: Info, why: string): BosunError {
  const name = info.Name.replace(/^\//, '');
  return new BosunError(Codes.containerFailed, `container ${name} ${why}`, {
    data: { container: name, id: info.Id, exitCode: info.State.ExitCode },
  });
}
