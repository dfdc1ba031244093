import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ReleaseStore } from '../../src/release/store.ts';
import { openStore } from '../../src/store/open.ts';
import { bosun } from '../helpers/cli.ts';
import { cleanupProject, ensureTestImages, IMAGE_V1, IMAGE_V2, uniqueProject } from '../helpers/docker.ts';
import { restartEngine, until } from '../helpers/engine.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { testSealer, TEST_STATE_KEY_FILE } from '../helpers/state-key.ts';

/**
 * Restarts the Docker engine in the middle of an apply. It stops every container on the
 * machine, so it runs only in `npm run chaos`, never beside other tests.
 */
const BIN = path.resolve(import.meta.dirname, '../../bin/bosun.js');

function stack(project: string, image: string): Record<string, string> {
  const svc = (i: number) =>
    `apiVersion: bosun/v1\nkind: Service\nmetadata: { name: s${i} }\nspec:\n  image: ${image}\n  replicas: 2\n  command: [sh, -c, "trap 'exit 0' TERM; while true; do sleep 1; done"]\n  healthcheck: { cmd: [test, -f, /VERSION], interval: 500ms, retries: 3 }\n  update: { order: stop-first }\n  stopGracePeriod: 1s\n`;
  return {
    'bosun.yaml': `apiVersion: bosun/v1\nkind: Project\nmetadata: { name: ${project} }\n`,
    'services.yaml': [1, 2, 3, 4, 5].map(svc).join('---\n'),
  };
}

describe('chaos: the Docker engine restarts in the middle of an apply', function () {
  this.timeout(300_000);
  const project = uniqueProject('engine');
  let server: GitServer;
  let repo: TestRepo;
  let tmp: string;
  let flags: string[];

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, stack(project, IMAGE_V1));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-engine-'));
    flags = ['--repo', repo.url, '--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`];
    assert.equal((await bosun(['reconcile', ...flags])).code, 0);
  });
  after(async () => {
    await cleanupProject(project);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('fails with a clear error, records the release failed, and the next reconcile converges', async () => {
    await repo.commit(stack(project, IMAGE_V2));
    const child = spawn(process.execPath, [BIN, 'reconcile', ...flags], {
      env: { ...process.env, NO_COLOR: '1', BOSUN_STATE_KEY_FILE: TEST_STATE_KEY_FILE },
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    // restart once the first operation has finished, so the engine goes away in the middle
    await until('the first operation of the apply', async () => /applying:\n.*\(\d+\.\ds\)/.test(stdout), 60_000);
    await restartEngine();
    const code = await exited;
    assert.equal(code, 1, stderr);
    // Two honest outcomes, depending on what the engine said first: unreachable (no rollback is
    // tried), or a container that died with it (the rollback is tried, and fails as well).
    assert.match(
      stderr,
      /^error: release 2 failed(?: and the rollback to release 1 failed too)?: .*(cannot reach the Docker engine|Docker|container)/,
    );
    assert.doesNotMatch(stderr, /\n\s+at /);
    const kv = await openStore(`file:${tmp}/state`);
    const release = await new ReleaseStore(kv, testSealer()).get(project, 2).finally(() => kv.close());
    assert.equal(release.status, 'failed');
    const again = await bosun(['reconcile', ...flags]);
    assert.equal(again.code, 0, again.stdout + again.stderr);
    assert.equal((await bosun(['reconcile', ...flags, '--dry-run', '--detailed-exitcode'])).code, 0);
  });
});
