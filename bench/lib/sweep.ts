/**
 * Everything a bench run created carries a `bench-` project name registered here, so an
 * interrupted run (Ctrl-C, a failed bench) still removes its containers and networks.
 */
import { docker, removeByLabel } from './engine.ts';
import { cleanupProject } from '../../test/helpers/docker.ts';

export const createdProjects = new Set<string>();

/**
 * dockerd 20.10 can leak endpoints when hundreds of containers go at once (moby/moby#42119):
 * the network then refuses removal ("has active endpoints") until the engine restarts. That is
 * reported, never hidden, since every leaked bridge network holds one of the engine's address pools.
 */
async function sweepProject(p: string): Promise<void> {
  await removeByLabel(`bosun.project=${p}`);
  await removeByLabel(`com.docker.compose.project=${p}`);
  await cleanupProject(p);
  const nets = (await docker.listNetworks({ filters: { name: [`${p}_`] } })).filter((n) => n.Name.startsWith(`${p}_`));
  const stuck: string[] = [];
  for (const n of nets) {
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch((err: Error) => stuck.push(`network ${n.Name}: ${err.message.replace(/^\(HTTP code \d+\) [^-]*- /, '')}`));
  }
  if (stuck.length > 0) throw new Error(stuck.join('; '));
}

/** Best effort, project by project: one failure (an engine restarting) must not skip the rest. */
export async function sweep(): Promise<string[]> {
  const failed: string[] = [];
  for (const p of createdProjects) {
    try {
      await sweepProject(p);
      createdProjects.delete(p);
    } catch (err) {
      failed.push((err as Error).message);
      createdProjects.delete(p);
    }
  }
  return failed;
}
