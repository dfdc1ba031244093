/**
 * Wall time of a command as a user runs it (a new process each time), and a CPU profile of one
 * run through node's own --cpu-prof, summarised like the in-process profiles (bench/lib/cpu.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { summarize } from './cpu.ts';

const run = promisify(execFile);
const ENV = { ...process.env, NO_COLOR: '1' };

const TIME = '/usr/bin/time';
const MARK = 'bosun-bench-cpu';

/**
 * CPU time (user + system, ms) of every command timed here, by the wall time it is returned
 * with: on a shared machine wall time moves with the load, the CPU a command spends much less.
 */
export const cpuOf = new Map<number, number>();

/** ms from spawn to exit; a non-zero exit fails the bench with the command's own last lines. */
export async function wallMs(file: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  const started = performance.now();
  const { stderr } = await run(TIME, ['-f', `${MARK} %U %S`, file, ...args], {
    env: { ...ENV, ...env },
    maxBuffer: 64 * 1024 * 1024,
  }).catch((err: { stderr?: string; message: string }) => {
    const why = (err.stderr || err.message).trim().split('\n').slice(-3).join(' | ');
    throw new Error(`${file} ${args.slice(0, 2).join(' ')} failed: ${why}`);
  });
  const ms = performance.now() - started;
  const [user, sys] = (new RegExp(`${MARK} ([\\d.]+) ([\\d.]+)`).exec(stderr) ?? []).slice(1).map(Number);
  if (user !== undefined && sys !== undefined) cpuOf.set(ms, (user + sys) * 1000);
  return ms;
}

/** `node <bin> ...args` */
export function nodeWallMs(bin: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  return wallMs(process.execPath, [bin, ...args], env);
}

/** The CPU time of the runs whose wall times are `walls` (those run through wallMs). */
export function cpuMs(walls: number[]): number[] {
  return walls.flatMap((w) => (cpuOf.has(w) ? [cpuOf.get(w)!] : []));
}

/** Runs each of `fns` once per round, interleaved, so drift in the machine's load hits all alike. */
export async function interleaved(runs: number, fns: (() => Promise<number>)[]): Promise<number[][]> {
  const out = fns.map(() => [] as number[]);
  for (let i = 0; i < runs; i++) for (const [k, fn] of fns.entries()) out[k]!.push(await fn());
  return out;
}

/** One run of `node --cpu-prof <bin> ...args`: "idle N%; busy: ..." and the profiled run's wall time. */
export async function cliProfile(
  bin: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ summary: string; ms: number }> {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-bench-prof-'));
  try {
    const ms = await wallMs(process.execPath, ['--cpu-prof', '--cpu-prof-dir', dir, bin, ...args], env);
    const file = (await readdir(dir)).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error(`node --cpu-prof wrote no profile for ${args.join(' ')}`);
    return { summary: summarize(JSON.parse(await readFile(join(dir, file), 'utf8')), 8), ms };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
