import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);
export const docker = new Docker({ socketPath: '/var/run/docker.sock' });
export const IMAGE_V1 = 'bosun-test/busybox:1';
export const IMAGE_V2 = 'bosun-test/busybox:2';
const ROOT = path.resolve(import.meta.dirname, '../..');

/** Fails loudly, with how to start it, when no engine answers: tests never pass without Docker. */
export async function requireDocker(): Promise<void> {
  try {
    await docker.ping();
  } catch (err) {
    throw new Error(
      `these tests need a Docker engine at /var/run/docker.sock (${(err as Error).message}).\n` +
        'Start one with: bash test/setup-services.sh   (or: dockerd > /tmp/dockerd.log 2>&1 &)',
    );
  }
}

/** Two distinct local images built from static busybox: no registry is needed. */
export async function ensureTestImages(): Promise<void> {
  await requireDocker();
  await run('bash', [path.join(ROOT, 'examples/build-image.sh'), IMAGE_V1, IMAGE_V2]);
}

export function uniqueProject(prefix: string): string {
  return `t-${prefix}-${randomBytes(3).toString('hex')}`;
}

export async function projectContainers(project: string): Promise<Docker.ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`bosun.project=${project}`] } });
}

/** service → sorted list of `replica:id` for quick identity comparisons. */
export async function containerIds(project: string): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const c of await projectContainers(project)) {
    const s = c.Labels['bosun.service'];
    (out[s] ??= []).push(`${c.Labels['bosun.replica']}:${c.Id}`);
  }
  for (const k of Object.keys(out)) out[k].sort();
  return out;
}

/** Removes exactly what one test's project created: containers, networks, volumes with its label. */
export async function cleanupProject(project: string): Promise<void> {
  const filters = { label: [`bosun.project=${project}`] };
  for (const c of await docker.listContainers({ all: true, filters })) {
    await docker
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  for (const n of await docker.listNetworks({ filters }))
    await docker
      .getNetwork(n.Id)
      .remove()
      .catch(() => undefined);
  const { Volumes } = await docker.listVolumes({ filters });
  for (const v of Volumes ?? [])
    await docker
      .getVolume(v.Name)
      .remove()
      .catch(() => undefined);
}
