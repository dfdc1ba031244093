/**
 * The peer: docker-compose 1.29 on the same engine, with a compose file equivalent to the
 * bosun repo (same image, command, stop grace period, restart policy, one default network).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { COMMAND, IMAGE, STOP_GRACE, type ServiceDef } from './repo.ts';
import { removeByLabel } from './engine.ts';
import { timed } from './measure.ts';

const run = promisify(execFile);
export const COMPOSE_BIN = '/usr/bin/docker-compose';
/**
 * compose 1.x nests parallel tasks (per service, then per container) under one limit of 64
 * threads: past ~64 services the outer tasks hold every slot and `up` deadlocks
 * (docker/compose#5864, #7486, #8226). A limit above any task count here avoids it.
 */
const PARALLEL_LIMIT = '4096';
/** At 500 containers on 2 cores single engine calls can exceed compose's default 60 s HTTP timeout. */
const COMPOSE_ENV = {
  ...process.env,
  COMPOSE_INTERACTIVE_NO_CLI: '1',
  COMPOSE_PARALLEL_LIMIT: PARALLEL_LIMIT,
  COMPOSE_HTTP_TIMEOUT: '600',
};

/** JSON is YAML: no quoting pitfalls for the shell command. */
export function composeFile(services: ServiceDef[]): string {
  const body: Record<string, unknown> = {};
  for (const s of services) {
    body[s.name] = {
      image: IMAGE,
      command: COMMAND,
      stop_grace_period: STOP_GRACE,
      // bosun's default restart policy
      restart: 'unless-stopped',
      ...(s.env && Object.keys(s.env).length > 0 ? { environment: s.env } : {}),
    };
  }
  return JSON.stringify({ version: '2.4', services: body }, null, 1);
}

export interface ComposeProject {
  name: string;
  file: string;
  /** rewrites the compose file */
  write(services: ServiceDef[]): Promise<void>;
  /** `docker-compose up -d`, timed, in ms */
  up(): Promise<number>;
  down(): Promise<void>;
}

export async function composeProject(name: string, services: ServiceDef[]): Promise<ComposeProject> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-compose-'));
  const file = join(dir, 'docker-compose.yml');
  const compose = (...args: string[]) =>
    run(COMPOSE_BIN, ['-p', name, '-f', file, ...args], { maxBuffer: 64 * 1024 * 1024, env: COMPOSE_ENV }).catch(
      (err: { stderr?: string; message: string }) => {
        // the last lines of compose's own output say why; execFile's message only echoes the command
        throw new Error(
          `docker-compose ${args.join(' ')} failed: ${(err.stderr ?? err.message).trim().split('\n').slice(-3).join(' | ')}`,
        );
      },
    );
  const project: ComposeProject = {
    name,
    file,
    write: (list) => writeFile(file, composeFile(list)),
    up: async () => (await timed(() => compose('up', '-d', '--no-color', '--quiet-pull'))).ms,
    async down() {
      // force-removing in parallel first is much faster than compose's stop + remove at 500
      await removeByLabel(`com.docker.compose.project=${name}`);
      await compose('down', '--remove-orphans', '-t', '1').catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
  await project.write(services);
  return project;
}

export async function composeVersion(): Promise<string> {
  const { stdout } = await run(COMPOSE_BIN, ['version', '--short']);
  return stdout.trim();
}
