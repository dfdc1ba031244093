/**
 * A bosun project on the harness swarm (test/cluster/harness.sh), driven through the real CLI:
 * its repo on the test git server, its state on the harness etcd, its tasks read from the manager.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type Docker from 'dockerode';
import { bosun, type CliResult } from './cli.ts';
import type { Cluster } from './cluster.ts';
import { IMAGE_V1 } from './docker.ts';
import type { GitServer } from './git-server.ts';

/** Stops at once on SIGTERM, so updates do not wait out grace periods. */
export const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;
/** busybox httpd answering `ok` on / (wrapped: httpd as PID 1 ignores SIGTERM) */
export const HTTPD = `[sh, -c, "mkdir -p /www && echo ok > /www/index.html && trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait"]`;

export interface SwarmStackOptions {
  spreadImage?: string;
  level?: string;
  /** the web service exits at start (a broken version) */
  brokenWeb?: boolean;
  port: number;
}

/** Three services: spread (6 replicas), web (a port published on its node), reader (an etcd Config). */
export function swarmStack(project: string, o: SwarmStackOptions): Record<string, string> {
  const service = (name: string, body: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  stopGracePeriod: 1s\n${body}`;
  const web = o.brokenWeb ? `[sh, -c, "echo broken; exit 3"]` : HTTPD;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'config.yaml': `apiVersion: bosun/v1\nkind: Config\nmetadata: { name: app }\nspec:\n  prefix: /${project}/app/\n  data:\n    LEVEL: ${o.level ?? 'info'}\n`,
    'services.yaml': [
      service(
        'spread',
        `  image: ${o.spreadImage ?? IMAGE_V1}\n  command: ${IDLE}\n  replicas: 6\n  update: { parallelism: 3 }\n`,
      ),
      service('web', `  image: ${IMAGE_V1}\n  command: ${web}\n  ports: [{ container: 80, host: ${o.port} }]\n`),
      service('reader', `  image: ${IMAGE_V1}\n  command: ${IDLE}\n  envFrom: [{ config: app }]\n`),
    ].join('---\n'),
  };
}

export interface SwarmProject {
  name: string;
  flags: string[];
  push(files: Record<string, string | null>): Promise<string>;
  cli(args: string[]): Promise<CliResult>;
  releases(): Promise<{ number: number; status: string; error?: { message: string } }[]>;
}

export async function swarmProject(
  cluster: Cluster,
  server: GitServer,
  name: string,
  files: Record<string, string>,
): Promise<SwarmProject> {
  const repo = await server.createRepo(name, files);
  const cache = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-swarm-'));
  const flags = [
    '--repo',
    repo.url,
    '--state',
    cluster.etcdUrl,
    '--cache-dir',
    cache,
    '--backend',
    'swarm',
    '--no-swarm-mesh',
    '--docker-host',
    cluster.dockerHosts[0],
  ];
  const cli = (args: string[]) => bosun([...args, ...flags]);
  const releases = async () => JSON.parse((await cli(['releases', '-o', 'json'])).stdout);
  return { name, flags, push: (f) => repo.commit(f), cli, releases };
}

export interface TaskView {
  id: string;
  slot: number;
  node: string;
  state: string;
  containerId: string;
}

/** The running tasks (desired and actual) of `<project>_<service>`, by slot. */
export async function runningTasks(manager: Docker, project: string, service: string): Promise<TaskView[]> {
  const nodes = new Map((await manager.listNodes()).map((n) => [n.ID, n.Description?.Hostname ?? '']));
  const tasks = await manager.listTasks({
    filters: { service: [`${project}_${service}`], 'desired-state': ['running'] },
  });
  return tasks
    .filter((t) => t.Status?.State === 'running')
    .map((t) => ({
      id: t.ID ?? '',
      slot: t.Slot ?? 0,
      node: nodes.get(t.NodeID ?? '') ?? '',
      state: t.Status?.State ?? '',
      containerId: t.Status?.ContainerStatus?.ContainerID ?? '',
    }))
    .sort((a, b) => a.slot - b.slot);
}

export async function projectServices(manager: Docker, project: string): Promise<string[]> {
  const list = await manager.listServices({ filters: { label: [`bosun.project=${project}`] } });
  return list.map((s) => s.Spec?.Name ?? '').sort();
}

/** Removes what one project made on the swarm: services, configs, secrets, networks. */
export async function removeSwarmProject(manager: Docker, project: string): Promise<void> {
  const filters = { label: [`bosun.project=${project}`] };
  for (const s of await manager.listServices({ filters })) await manager.getService(s.ID).remove();
  // configs and networks are released a moment after their tasks are gone
  await new Promise((r) => setTimeout(r, 2000));
  const ignore = () => undefined;
  for (const c of await manager.listConfigs({ filters })) await manager.getConfig(c.ID).remove().catch(ignore);
  for (const s of await manager.listSecrets({ filters })) await manager.getSecret(s.ID).remove().catch(ignore);
  for (const n of await manager.listNetworks({ filters })) await manager.getNetwork(n.Id).remove().catch(ignore);
}
