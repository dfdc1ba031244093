/** Engine-side helpers: container identity snapshots and fast cleanup of what a bench created. */
import Docker from 'dockerode';
import pLimit from 'p-limit';
import { cleanupProject } from '../../test/helpers/docker.ts';

export const docker = new Docker({ socketPath: '/var/run/docker.sock' });

/** Removal is engine-bound: a few at a time beats 500 at once and beats one by one. */
const REMOVE_CONCURRENCY = 8;

export async function removeByLabel(label: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } });
  const limit = pLimit(REMOVE_CONCURRENCY);
  await Promise.all(
    list.map((c) =>
      limit(() =>
        docker
          .getContainer(c.Id)
          .remove({ force: true })
          .catch(() => undefined),
      ),
    ),
  );
  return list.length;
}

/** Containers in parallel, then the test helper's sweep for networks and volumes. */
export async function cleanupBosun(project: string): Promise<void> {
  await removeByLabel(`bosun.project=${project}`);
  await cleanupProject(project);
}

/** name → id of every container with `label`, for "which containers did this touch". */
export async function idsByName(label: string): Promise<Map<string, string>> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } });
  return new Map(list.map((c) => [(c.Names[0] ?? '').replace(/^\//, ''), c.Id]));
}

/** Containers whose id changed, appeared or vanished between two snapshots. */
export function touched(before: Map<string, string>, after: Map<string, string>): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((n) => before.get(n) !== after.get(n)).sort();
}

export async function runningCount(label: string): Promise<number> {
  return (await docker.listContainers({ filters: { label: [label], status: ['running'] } })).length;
}

/**
 * The engine's own floor for starting `n` containers: create + start all at once on a fresh
 * network, straight through dockerode, no planning and no readiness polling.
 */
export async function engineFloor(project: string, n: number, image: string, cmd: string[]): Promise<number> {
  const net = `${project}_default`;
  const labels = { 'bosun.project': project };
  const started = performance.now();
  await docker.createNetwork({ Name: net, Labels: labels });
  await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const c = await docker.createContainer({
        name: `${project}-${i + 1}`,
        Image: image,
        Cmd: cmd,
        Labels: labels,
        HostConfig: { NetworkMode: net },
      });
      await c.start();
    }),
  );
  return performance.now() - started;
}
