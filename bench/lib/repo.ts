/**
 * Generated bosun repos as local git repositories (git init + commit in a temp dir):
 * `fetchArtifact` reads a local repo's objects in place, so no server is involved.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { createdProjects } from './sweep.ts';

const run = promisify(execFile);

export const IMAGE = 'bosun-test/busybox:1';
/** PID 1 sleeps without forking (a `while sleep 1` loop would fork 500 times a second at 500 containers) and exits at once on SIGTERM. */
export const COMMAND = ['sh', '-c', "trap 'exit 0' TERM; sleep 2147483647 & wait"];
export const STOP_GRACE = '2s';

export interface ServiceDef {
  name: string;
  /** extra env, used to change one service between commits */
  env?: Record<string, string>;
}

export function benchProject(kind: string): string {
  const name = `bench-${kind}-${randomBytes(3).toString('hex')}`;
  createdProjects.add(name);
  return name;
}

export function serviceNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `s${String(i + 1).padStart(4, '0')}`);
}

export function serviceYaml(s: ServiceDef): string {
  const env = Object.entries(s.env ?? {})
    .map(([k, v]) => `    ${k}: "${v}"\n`)
    .join('');
  return [
    'apiVersion: bosun/v1',
    'kind: Service',
    'metadata:',
    `  name: ${s.name}`,
    'spec:',
    `  image: ${IMAGE}`,
    `  command: ${JSON.stringify(COMMAND)}`,
    `  stopGracePeriod: ${STOP_GRACE}`,
    ...(env ? ['  env:', env.trimEnd()] : []),
    '',
  ].join('\n');
}

/** One file per service under services/, plus the Project at the root. */
export function repoFiles(project: string, services: ServiceDef[]): Record<string, string> {
  const files: Record<string, string> = {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
  };
  for (const s of services) files[`services/${s.name}.yaml`] = serviceYaml(s);
  return files;
}

const GIT_ENV = { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const id = ['-c', 'user.name=bosun-bench', '-c', 'user.email=bench@bosun.invalid'];
  const { stdout } = await run('git', [...id, ...args], { cwd, env: GIT_ENV, maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

export interface LocalRepo {
  dir: string;
  /** writes files (null deletes), commits everything, returns the new sha */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  remove(): Promise<void>;
}

export async function localRepo(files: Record<string, string>): Promise<LocalRepo> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-repo-'));
  await git(dir, 'init', '--quiet', '--initial-branch=main');
  const repo: LocalRepo = {
    dir,
    async commit(changes, message = 'bench') {
      await writeAll(dir, changes);
      await git(dir, 'add', '-A');
      await git(dir, 'commit', '--quiet', '--allow-empty', '-m', message);
      return git(dir, 'rev-parse', 'HEAD');
    },
    remove: () => rm(dir, { recursive: true, force: true }),
  };
  await repo.commit(files, 'initial');
  // packed like a clone, not thousands of loose objects: reading those costs ~2× more
  await git(dir, 'gc', '--quiet');
  return repo;
}

export async function writeAll(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const full = join(dir, rel);
    if (content === null) await rm(full, { force: true });
    else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }
}
