import { strict as assert } from 'node:assert';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { cleanupProject, docker, IMAGE_V1, projectContainers, uniqueProject } from './docker.ts';
import type { GitServer, TestRepo } from './git-server.ts';
import { githubPush, metric, post, type ServeProcess, startServe, status, waitFor } from './serve.ts';

const SECRET = 'drift-rounds-secret';
/** Never fires during a test: passes come from webhooks and drift only. */
const NO_POLL = '0 0 1 1 *';
/** PID 1 without a TERM handler ignores SIGTERM: every stop of it waits out the grace period. */
const DEAF = `[sh, -c, "while true; do sleep 1; done"]`;
/** How long a repaired service must run before drifting again is not a crash loop (DRIFT_BACKOFF). */
const STABLE_MS = 10_500;
/** Exits 3 (a crash) once /tmp/crash exists; stops at once on SIGTERM. */
const CRASHABLE = `[sh, -c, "trap 'exit 0' TERM; while [ ! -f /tmp/crash ]; do sleep 0.2; done; exit 3"]`;

export interface DriftRoundsOptions {
  server: GitServer;
  /** how long A's start-first rollout keeps the pass open (its deaf old container's grace period) */
  rolloutSeconds: number;
}

/**
 * A stack of two services: `a`, rolled start-first with a PID 1 that ignores SIGTERM (so each
 * rollout keeps the pass open while the old container is retired), and `b`, which drifts.
 */
function files(project: string, round: number, rolloutSeconds: number): Record<string, string> {
  const service = (name: string, body: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata:\n  name: ${name}\nspec:\n  image: ${IMAGE_V1}\n${body}`;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata:\n  name: ${project}\n`,
    'services/a.yaml': service(
      'a',
      `  command: ${DEAF}\n  stopGracePeriod: ${rolloutSeconds}s\n  env: { ROUND: "${round}" }\n  update: { order: start-first }\n`,
    ),
    'services/b.yaml': service('b', `  command: ${CRASHABLE}\n  stopGracePeriod: 1s\n  restart: "no"\n`),
  };
}

export interface DriftFixture {
  project: string;
  repo: TestRepo;
  s: ServeProcess;
  tmp: string;
  close(): Promise<void>;
}

export async function startDriftFixture(o: DriftRoundsOptions, prefix: string): Promise<DriftFixture> {
  const project = uniqueProject(prefix);
  const repo = await o.server.createRepo(project, files(project, 0, o.rolloutSeconds));
  const tmp = await fs.mkdtemp(path.join(os.tmpdir(), `bosun-${prefix}-`));
  await fs.writeFile(path.join(tmp, 'secret'), SECRET);
  const args = ['--repo', repo.url, '--ref', 'main', '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
  const s = await startServe([...args, '--poll', NO_POLL, '--webhook-secret-file', `${tmp}/secret`], {
    BOSUN_LOG_LEVEL: 'debug',
  });
  const head = await repo.head();
  await waitFor(
    'the start-up pass',
    async () => ((await status(s)).applied?.revision === head ? true : undefined),
    90_000,
    s,
  );
  const close = async () => {
    await s.stop('SIGKILL');
    await cleanupProject(project);
    await fs.rm(tmp, { recursive: true, force: true });
  };
  return { project, repo, s, tmp, close };
}

async function runningB(project: string): Promise<string | undefined> {
  const list = await projectContainers(project);
  return list.find((c) => c.Labels['bosun.service'] === 'b' && c.State === 'running')?.Id;
}

/** When the webhook pass that applied `sha` ended, from its log line. */
function passEnd(s: ServeProcess, sha: string): number | undefined {
  const line = s.logs.find((l) => l.result === 'applied' && l.revision === sha && l.trigger === 'webhook');
  return line ? Date.parse(String(line.time)) : undefined;
}

export interface RoundResult {
  /** ms from the end of A's rollout pass (or the removal, if later) to B running again */
  repairedAfterMs: number;
  /** when in the rollout B was hit, in ms after the push */
  hitAtMs: number;
}

/**
 * One round: push a change of `a`, and at a random moment during its rollout or within 1 s after
 * it, remove (or crash) b's container. Returns how long after the pass b ran again.
 */
export async function driftRound(
  f: DriftFixture,
  round: number,
  rolloutSeconds: number,
  crash: boolean,
): Promise<RoundResult> {
  const victim = await waitFor('b running', () => runningB(f.project), 30_000, f.s);
  // b must have run 10 s, or its next drift counts as a crash loop and waits out a longer backoff
  const started = Date.parse((await docker.getContainer(victim).inspect()).State.StartedAt);
  await new Promise((r) => setTimeout(r, Math.max(0, started + STABLE_MS - Date.now())));
  const sha = await f.repo.commit(files(f.project, round, rolloutSeconds), `round ${round}`);
  const pushed = Date.now();
  assert.equal((await post(f.s, 'github', githubPush(f.repo.url, 'main', sha, SECRET))).code, 202);
  const hitAtMs = Math.floor(Math.random() * (rolloutSeconds * 1000 + 1_500));
  await new Promise((r) => setTimeout(r, hitAtMs));
  const hitAt = Date.now();
  if (crash)
    await (await docker.getContainer(victim).exec({ Cmd: ['sh', '-c', 'echo > /tmp/crash'] })).start({ Detach: true });
  else await docker.getContainer(victim).remove({ force: true });
  const end = await waitFor('the rollout pass to end', async () => passEnd(f.s, sha), 90_000, f.s);
  const back = await waitFor(
    `b repaired (round ${round})`,
    async () => {
      const id = await runningB(f.project);
      return id && id !== victim ? Date.now() : undefined;
    },
    30_000,
    f.s,
  );
  // the test caused every event of the victim, except the removal of a crashed one (bosun's repair)
  const ours = (l: Record<string, unknown>) => l.id === victim.slice(0, 12) && (!crash || l.action !== 'destroy');
  const own = f.s.logs.filter((l) => ours(l) && /caused by bosun/.test(String(l.msg)));
  assert.deepEqual(own, [], 'a removal of b was taken for bosun’s own');
  return { repairedAfterMs: back - Math.max(end, hitAt), hitAtMs: hitAt - pushed };
}

/** What the rounds must show: no repair of a's own replacements, and a drift time reported. */
export async function assertOnlyDriftRepaired(f: DriftFixture): Promise<void> {
  const ownHeals = f.s.logs.filter((l) => l.service === 'a' && /heal scheduled/.test(String(l.msg)));
  assert.deepEqual(ownHeals, [], 'a container bosun replaced or retired triggered a repair');
  const st = (await status(f.s)) as unknown as { lastDrift: { ms: number } | null };
  assert.ok(st.lastDrift && st.lastDrift.ms >= 0, `lastDrift in /status: ${JSON.stringify(st.lastDrift)}`);
  assert.ok((await metric(f.s, 'bosun_drift_repair_seconds_count')) >= 1, 'drift repairs timed in /metrics');
}
