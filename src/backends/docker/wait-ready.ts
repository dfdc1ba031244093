import type Docker from 'dockerode';
import { BosunError, Codes } from '../../errors.ts';

const POLL_MS = 100;

/**
 * Polls inspect until the container runs (and is healthy, when it has a healthcheck).
 * Fails fast on exit, restart or unhealthy, saying why, so the user never sees a bare "timeout".
 */
export async function waitReady(docker: Docker, id: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await docker.getContainer(id).inspect();
    const verdict = readiness(info);
    if (verdict === 'ready') return;
    if (verdict !== 'pending') throw failed(info, verdict);
    if (Date.now() > deadline) throw failed(info, `not ready after ${Math.round(timeoutMs / 1000)}s${lastProbe(info)}`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/**
 * The `monitor` window of an update policy: a new container must keep running (and healthy)
 * this long before its batch counts as good — catching crash-after-start.
 */
export async function monitorReady(docker: Docker, id: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    const info = await docker.getContainer(id).inspect();
    const verdict = readiness(info);
    if (verdict !== 'ready')
      throw failed(
        info,
        `${verdict === 'pending' ? 'stopped being ready' : verdict} during its ${Math.round(ms / 1000)}s monitor period`,
      );
    await new Promise((r) => setTimeout(r, Math.min(POLL_MS * 2, Math.max(0, until - Date.now()))));
  }
}

function readiness(info: Docker.ContainerInspectInfo): 'ready' | 'pending' | string {
  const s = info.State;
  if (s.Restarting || info.RestartCount > 0) return `restarted after exiting with code ${s.ExitCode}`;
  if (s.Status === 'exited' || s.Status === 'dead')
    return `exited with code ${s.ExitCode}${s.Error ? ` (${s.Error})` : ''}`;
  if (!s.Running) return 'pending';
  const health = s.Health?.Status;
  if (!health || health === 'healthy') return 'ready';
  if (health === 'unhealthy') return `unhealthy${lastProbe(info)}`;
  return 'pending';
}

function lastProbe(info: Docker.ContainerInspectInfo): string {
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

function failed(info: Docker.ContainerInspectInfo, why: string): BosunError {
  const name = info.Name.replace(/^\//, '');
  return new BosunError(Codes.containerFailed, `container ${name} ${why}`, {
    data: { container: name, id: info.Id, exitCode: info.State.ExitCode },
  });
}
