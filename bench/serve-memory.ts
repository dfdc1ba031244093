/**
 * Resident memory of a `bosun serve` process managing N containers (one service with N replicas
 * of the busybox test image), read from /proc/<pid>/status (VmRSS) after it converged and then
 * polled a few times. Run alone: npx tsx bench/serve-memory.ts [containers]
 */
import { readFile } from 'node:fs/promises';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanupProject, ensureTestImages, uniqueProject } from '../test/helpers/docker.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { metric, startServe, type ServeProcess } from '../test/helpers/serve.ts';
import { benchStack, untilApplied } from './webhook.ts';

/** Polls every 2 s, so "a few polls" takes seconds, not minutes. */
const POLL = '*/2 * * * * *';
const POLLS_BEFORE_MEASURING = 3;

export async function vmRssMb(pid: number): Promise<number> {
  const text = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(text)?.[1]);
  if (!Number.isFinite(kb)) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Math.round((kb / 1024) * 10) / 10;
}

export async function benchServeMemory(opts: { containers: number }): Promise<{ rssMb: number }> {
  await ensureTestImages();
  const server = await startGitServer();
  const project = uniqueProject('bench-mem');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-mem-'));
  let s: ServeProcess | undefined;
  try {
    const repo = await server.createRepo(project, benchStack(project, 0, opts.containers));
    const args = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`, '--poll', POLL];
    s = await startServe(args, { BOSUN_WEBHOOK_SECRET: 'bench-secret' });
    await untilApplied(s, await repo.head(), 600_000);
    const polls = async () => metric(s!, 'bosun_reconciles_total', { trigger: 'poll' });
    const start = await polls();
    const deadline = Date.now() + 120_000;
    while ((await polls()) < start + POLLS_BEFORE_MEASURING) {
      if (Date.now() > deadline) throw new Error('bosun serve stopped polling');
      await new Promise((r) => setTimeout(r, 200));
    }
    return { rssMb: await vmRssMb(s.pid) };
  } finally {
    await s?.stop();
    await cleanupProject(project);
    await server.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchServeMemory({ containers: Number(process.argv[2] ?? 20) })));
}
