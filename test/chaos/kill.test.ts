import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import {
  cleanupProject,
  ensureTestImages,
  IMAGE_V1,
  IMAGE_V2,
  projectContainers,
  uniqueProject,
} from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { testSealer, TEST_STATE_KEY_FILE } from '../helpers/state-key.ts';

/** `npm test` runs a few rounds; `npm run chaos` sets CHAOS_ROUNDS=50. */
const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 4);
const BIN = path.resolve(import.meta.dirname, '../../bin/bosun.js');
const IDLE = `[sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]`;

function stack(project: string, round: number): Record<string, string> {
  const image = round % 2 === 0 ? IMAGE_V1 : IMAGE_V2;
  const order = round % 3 === 0 ? 'stop-first' : 'start-first';
  const svc = (name: string, replicas: number, deps: string) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  image: ${image}\n  replicas: ${replicas}\n  command: ${IDLE}\n  dependsOn: [${deps}]\n  healthcheck: { cmd: [test, -f, /VERSION], interval: 200ms, retries: 3 }\n  update: { order: ${order}, parallelism: 2 }\n  stopGracePeriod: 1s\n`;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n---\napiVersion: bosun/v1\nkind: Config\nmetadata: { name: c }\nspec:\n  prefix: /${project}/c/\n  data: { ROUND: "${round}" }\n`,
    'services.yaml': [svc('db', 1, ''), svc('api', 1 + (round % 3), 'db'), svc('web', 2, 'api')].join('---\n'),
  };
}

/** Starts `bosun reconcile` and SIGKILLs it after `ms`, wherever it is. */
function killedReconcile(args: string[], ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'reconcile', ...args], {
      stdio: 'ignore',
      env: { ...process.env, BOSUN_STATE_KEY_FILE: TEST_STATE_KEY_FILE },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

describe('chaos: kill -9 the reconciler at random moments', function () {
  this.timeout(60_000 + ROUNDS * 40_000);
  const project = uniqueProject('kill');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, stack(project, 0));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-kill-'));
    flags = ['--repo', repo.url, '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`, '--lock-timeout', '30'];
  });
  after(async () => {
    await cleanupProject(project);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it(`recovers fully after each of ${ROUNDS} kills`, async () => {
    const killedAt: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      await repo.commit(stack(project, round));
      const ms = 300 + Math.floor(Math.random() * 4000);
      killedAt.push(ms);
      await killedReconcile(flags, ms);
      const r = await bosun(['reconcile', ...flags]);
      assert.equal(r.code, 0, `round ${round} (killed after ${ms} ms): ${r.stdout}${r.stderr}`);
      await assertConverged(round);
    }
    console.log(`      killed after ${killedAt.join(', ')} ms`);
  });

  async function assertConverged(round: number): Promise<void> {
    const containers = await projectContainers(project);
    const names = containers.map((c) => c.Names[0].slice(1)).sort();
    const want = [
      `${project}-api-1`,
      ...(round % 3 >= 1 ? [`${project}-api-2`] : []),
      ...(round % 3 === 2 ? [`${project}-api-3`] : []),
      `${project}-db-1`,
      `${project}-web-1`,
      `${project}-web-2`,
    ].sort();
    assert.deepEqual(names, want, `round ${round}: no orphans, no duplicates, canonical names`);
    assert.ok(
      containers.every((c) => c.State === 'running'),
      `round ${round}: all running`,
    );
    const dry = await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode']);
    assert.equal(dry.code, 0, `round ${round}: state equals desired\n${dry.stdout}`);
    const kv = await openStore(`file:${tmp}/state`);
    try {
      const releases = await new ReleaseStore(kv, testSealer()).list(project);
      assert.ok(
        releases.every((x) => x.status !== 'applying'),
        `round ${round}: ${releases.map((x) => `${x.number}:${x.status}`).join(' ')}`,
      );
      assert.equal((await kv.get(`/${project}/c/ROUND`))?.value, String(round));
    } finally {
      await kv.close();
    }
  }
});
