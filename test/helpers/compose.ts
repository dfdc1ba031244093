/** Debian's docker-compose 1.29 driven from tests, and what it leaves behind, by project. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cleanupProject, docker, IMAGE_V1 } from './docker.ts';

export const run = promisify(execFile);

export async function compose(project: string, file: string, ...args: string[]): Promise<string> {
  try {
    return (await run('docker-compose', ['-p', project, '-f', file, ...args])).stdout;
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT')
      throw new Error('docker-compose is missing: run test/setup-services.sh (apt-get install -y docker-compose)');
    throw err;
  }
}

/** containers docker compose started for the project (its label, no bosun label) */
export async function composeContainers(project: string) {
  const all = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${project}`] } });
  return all.filter((c) => c.Labels['bosun.project'] === undefined);
}

/** Everything compose or bosun made for the project: containers, its default network, its data volume. */
export async function removeComposeStack(project: string, file: string): Promise<void> {
  await compose(project, file, 'down').catch(() => undefined);
  await cleanupProject(project);
  for (const net of await docker.listNetworks({ filters: { name: [`${project}_default`] } }))
    await docker
      .getNetwork(net.Id)
      .remove()
      .catch(() => undefined);
  await docker
    .getVolume(`${project}_data`)
    .remove()
    .catch(() => undefined);
}

const IDLE = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

/** db with a named volume, web beside it: what `docker-compose up -d` ran before bosun */
export const ADOPTABLE = [
  'services:',
  '  db:',
  `    image: ${IMAGE_V1}`,
  `    command: ${IDLE}`,
  '    volumes:',
  '      - data:/data',
  '  web:',
  `    image: ${IMAGE_V1}`,
  `    command: ${IDLE}`,
  '    depends_on: [db]',
  'volumes:',
  '  data:',
  '',
].join('\n');
