/**
 * Runs bin/bosun.js under the module-log loader hook (test/fixtures/module-log/) and answers
 * which modules the process loaded: the tests that hold each verb to what its input needs.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export const run = promisify(execFile);
export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/bosun.js');
const PRELOAD = path.join(ROOT, 'test/fixtures/module-log/preload.mjs');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Every module (absolute path or URL) the CLI loaded running `args`; `out` hears how it ended. */
export function modulesLoaded(args: string[], env: Record<string, string> = {}, out?: Outcome) {
  return modulesLoadedBy([BIN, ...args], env, out);
}

/** As modulesLoaded, for `node` given `argv` (a script and its arguments, or `-e` code). */
export async function modulesLoadedBy(argv: string[], env: Record<string, string> = {}, out?: Outcome) {
  const dir = await mkdtemp(path.join(tmpdir(), 'bosun-module-log-'));
  const log = path.join(dir, 'modules.txt');
  try {
    const done = await run(process.execPath, ['--import', PRELOAD, ...argv], {
      env: { ...process.env, ...env, MODULE_LOG: log },
    }).then(
      (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
      (err: { code?: number; stdout?: string; stderr?: string }) => {
        if (typeof err.code !== 'number') throw err; // a verb that fails still loaded its modules
        return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
      },
    );
    if (out) Object.assign(out, done);
    return [...new Set((await readFile(log, 'utf8')).split('\n').filter(Boolean))];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Which of the packages `libs` are among `modules`. */
export function packagesIn(modules: string[], libs: readonly string[]): string[] {
  return libs.filter((lib) => modules.some((m) => m.includes(`/node_modules/${lib}/`)));
}

/** bosun's own files (sources or build) among `modules`, outside node_modules. */
export function ownModules(modules: string[]): string[] {
  return modules.filter((m) => (m.includes('/src/') || m.includes('/dist/')) && !m.includes('/node_modules/'));
}

/** Sources always; the build too when bin/bosun.js would run it (test/helpers/fresh-build.ts). */
export const MODES: [string, Record<string, string>][] = [['sources', { BOSUN_FROM_SOURCES: '1' }]];
if (process.env.BOSUN_FROM_SOURCES !== '1') MODES.push(['bin/bosun.js as is', {}]);

/** A new git repo whose files `prepare` writes, committed; the caller removes it. */
export async function committedRepo(prepare: (dir: string) => Promise<void>): Promise<string> {
  const repo = await mkdtemp(path.join(tmpdir(), 'bosun-lazy-repo-'));
  await prepare(repo);
  const git = (...args: string[]) =>
    run('git', ['-c', 'user.name=t', '-c', 'user.email=t@bosun.invalid', ...args], { cwd: repo });
  await git('init', '--quiet');
  await git('add', '-A');
  await git('commit', '--quiet', '-m', 'example');
  return repo;
}

/** examples/cluster-repo copied to `dir`/`name`. */
export function copyExample(dir: string, name: string): Promise<void> {
  return cp(path.join(ROOT, 'examples/cluster-repo'), path.join(dir, name), { recursive: true });
}
