/**
 * The swarm peer: `docker stack deploy` of a compose file equivalent to the bosun repo (same
 * image, command, stop grace period, restart delay, update policy), on the harness manager.
 * `stack deploy` returns once the services are written, before any task runs, so its time is
 * taken to the moment every task of the new spec runs, as bosun's reconcile waits for.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { COMMAND, IMAGE, STOP_GRACE, type ServiceDef } from './repo.ts';

const run = promisify(execFile);

export function stackFile(services: ServiceDef[]): string {
  const body: Record<string, unknown> = {};
  for (const s of services) {
    body[s.name] = {
      image: IMAGE,
      command: COMMAND,
      stop_grace_period: STOP_GRACE,
      ...(s.env && Object.keys(s.env).length > 0 ? { environment: s.env } : {}),
      deploy: {
        replicas: 1,
        // what bosun's swarm mapping sets by default (src/backends/swarm/spec.ts)
        restart_policy: { condition: 'any', delay: '1s' },
        update_config: { parallelism: 1, order: 'stop-first', delay: '0s', monitor: '1ms', failure_action: 'pause' },
      },
    };
  }
  return JSON.stringify({ version: '3.8', services: body }, null, 1);
}

export interface StackProject {
  name: string;
  /** writes the compose file and runs `docker stack deploy` (returns when the CLI exits) */
  deploy(services: ServiceDef[]): Promise<void>;
  remove(): Promise<void>;
}

export async function stackProject(name: string, dockerHost: string): Promise<StackProject> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-stack-'));
  const file = join(dir, 'stack.yml');
  const cli = (...args: string[]) =>
    run('docker', ['-H', dockerHost, 'stack', ...args], { maxBuffer: 16 * 1024 * 1024 }).catch((err: Error) => {
      throw new Error(`docker stack ${args.join(' ')}: ${err.message}`);
    });
  return {
    name,
    async deploy(services) {
      await writeFile(file, stackFile(services));
      // no registry here: the images were loaded on every node
      await cli('deploy', '--resolve-image', 'never', '-c', file, name);
    },
    async remove() {
      await cli('rm', name).catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * True when `count` tasks run for the label's services, each of a spec whose env holds `env`
 * (when given), and no task of an older spec still runs.
 */
export async function allRunning(manager: Docker, label: string, count: number, env?: string): Promise<boolean> {
  const tasks = await manager.listTasks({ filters: { label: [label], 'desired-state': ['running'] } });
  // dockerode's Task type lacks the spec the engine returns with each task
  const envOf = (t: Docker.Task) =>
    (t as { Spec?: { ContainerSpec?: { Env?: string[] } } }).Spec?.ContainerSpec?.Env ?? [];
  const current = tasks.filter((t) => t.Status?.State === 'running' && (!env || envOf(t).includes(env)));
  return current.length === count && tasks.length === count;
}

/** Polls `check` every 100 ms until it holds; the time of the poll that saw it (ms from t0). */
export async function waitUntil(what: string, t0: number, check: () => Promise<boolean>, limitMs = 300_000) {
  while (!(await check())) {
    if (performance.now() - t0 > limitMs) throw new Error(`timed out after ${limitMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - t0;
}
