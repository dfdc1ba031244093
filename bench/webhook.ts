/**
 * Webhook → converged latency of `bosun serve`: commit and push a change to one service, POST a
 * signed GitHub push, and time from the POST until /status reports the new revision applied
 * (the replaced container running and recorded as a release). Run alone: npx tsx bench/webhook.ts [runs]
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { cleanupProject, ensureTestImages, IMAGE_V1, uniqueProject } from '../test/helpers/docker.ts';
import { startGitServer } from '../test/helpers/git-server.ts';
import { githubPush, post, startServe, status, type ServeProcess } from '../test/helpers/serve.ts';

const SECRET = 'bench-secret';

/**
 * One service (1 replica by default) that exits the moment it gets SIGTERM (`wait` is interrupted,
 * where a foreground `sleep 1` would delay the trap by up to a second), so the numbers measure
 * bosun rather than the workload's shutdown. `rev` changes its env: each run replaces it.
 */
export function benchStack(project: string, rev: number, replicas = 1): Record<string, string> {
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
    'app.yaml': [
      'apiVersion: bosun/v1',
      'kind: Service',
      'metadata:',
      '  name: app',
      'spec:',
      `  image: ${IMAGE_V1}`,
      `  replicas: ${replicas}`,
      `  command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 3600 & wait $!; done"]`,
      '  stopGracePeriod: 1s',
      `  env: { REV: "${rev}" }`,
      '',
    ].join('\n'),
  };
}

/** Polls /status tightly (5 ms), so the measurement is not rounded up to a slow probe interval. */
export async function untilApplied(s: ServeProcess, sha: string, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await status(s)).applied?.revision === sha) return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`revision ${sha.slice(0, 12)} not applied within ${timeoutMs} ms`);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export async function benchWebhook(opts: {
  runs: number;
}): Promise<{ p50Ms: number; p95Ms: number; samples: number[] }> {
  await ensureTestImages();
  const server = await startGitServer();
  const project = uniqueProject('bench-hook');
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-bench-hook-'));
  let s: ServeProcess | undefined;
  try {
    const repo = await server.createRepo(project, benchStack(project, 0));
    const args = [
      '--repo',
      repo.url,
      '--ref',
      'main',
      '--state',
      `file:${tmp}/state`,
      '--cache-dir',
      `${tmp}/cache`,
      '--poll',
      '0 0 1 1 *',
    ];
    s = await startServe(args, { BOSUN_WEBHOOK_SECRET: SECRET });
    await untilApplied(s, await repo.head());
    const samples: number[] = [];
    for (let i = 1; i <= opts.runs; i++) {
      const sha = await repo.commit(benchStack(project, i), `rev ${i}`);
      const t0 = performance.now();
      const r = await post(s, 'github', githubPush(repo.url, 'main', sha, SECRET));
      if (r.code !== 202) throw new Error(`webhook answered ${r.code}: ${JSON.stringify(r.body)}`);
      await untilApplied(s, sha);
      samples.push(Math.round(performance.now() - t0));
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return { p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), samples };
  } finally {
    await s?.stop();
    await cleanupProject(project);
    await server.close();
    await fs.rm(tmp, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(JSON.stringify(await benchWebhook({ runs: Number(process.argv[2] ?? 5) })));
}
