import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cleanupProject, ensureTestImages, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { githubPush, metric, post, startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { present, stackFiles } from '../helpers/stack.ts';

const SECRET = 'chaos-secret';
const PROVIDERS = ['github', 'gitlab', 'gitea', 'bitbucket', 'generic'];
const SIG_HEADERS = ['x-hub-signature-256', 'x-gitlab-token', 'x-gitea-signature', 'x-hub-signature', 'x-signature'];

/** A request no honest forge would send: random body, random or truncated or missing signature. */
function hostile(i: number): { provider: string; body: Buffer; headers: Record<string, string> } {
  const provider = PROVIDERS[i % PROVIDERS.length];
  const body =
    i % 3 === 0
      ? randomBytes(64 + (i % 500))
      : Buffer.from(JSON.stringify({ ref: 'refs/heads/main', after: randomBytes(20).toString('hex'), n: i }));
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-gitlab-event': 'Push Hook',
    'x-gitea-event': 'push',
  };
  const sig = `sha256=${randomBytes(32).toString('hex')}`;
  if (i % 4 !== 0) headers[SIG_HEADERS[i % SIG_HEADERS.length]] = i % 4 === 1 ? sig.slice(0, 20) : sig;
  return { provider, body, headers };
}

/** Opens a connection and trickles a request so slowly it never completes during the test. */
function slowClient(url: string, ms: number): Promise<void> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname, () => {
      socket.write(
        'POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{',
      );
      const drip = setInterval(() => socket.write(' '), 200);
      setTimeout(() => {
        clearInterval(drip);
        socket.destroy();
        resolve();
      }, ms);
    });
    socket.on('error', () => resolve());
  });
}

describe('chaos: webhook abuse', function () {
  this.timeout(120_000);
  const project = uniqueProject('abuse');
  let server: GitServer;
  let repo: TestRepo;
  let serve: ServeProcess;
  let tmp: string;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { webReplicas: 1, worker: false })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-abuse-'));
    serve = await startServe(
      [
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
        // this test measures refusals by signature and size: the per-source limits are out of its way
        '--webhook-rate',
        '100000',
        '--max-connections-per-source',
        '1000',
      ],
      {
        BOSUN_WEBHOOK_SECRET: SECRET,
      },
    );
    await waitFor(
      'first converge',
      async () => ((await status(serve)).applied?.release === 1 ? true : undefined),
      60_000,
      serve,
    );
  });
  after(async () => {
    await serve?.stop('SIGKILL');
    await cleanupProject(project);
    await server?.close();
    await fs.rm(tmp, { recursive: true, force: true });
  });

  it('triggers no reconcile, answers every request, and stays responsive', async () => {
    const before = await metric(serve, 'bosun_reconciles_total', { trigger: 'webhook' });
    const slow = Array.from({ length: 10 }, () => slowClient(serve.url, 4_000));
    const codes: number[] = [];
    let worstHealthMs = 0;
    const health = (async () => {
      for (let i = 0; i < 20; i++) {
        const t = Date.now();
        assert.equal((await fetch(`${serve.url}/healthz`)).status, 200);
        worstHealthMs = Math.max(worstHealthMs, Date.now() - t);
        await new Promise((r) => setTimeout(r, 150));
      }
    })();
    for (let i = 0; i < 250; i++)
      codes.push((await post(serve, hostile(i).provider, hostile(i)).catch(() => ({ code: 0 }))).code);
    const huge = randomBytes(10 * 1024 * 1024);
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${serve.url}/hooks/github`, {
        method: 'POST',
        body: new Uint8Array(huge),
        headers: { 'content-type': 'application/json' },
      }).catch(() => undefined);
      codes.push(r?.status ?? 413);
    }
    const valid = githubPush(repo.url, 'main', await repo.head(), SECRET);
    const replays = await Promise.all(Array.from({ length: 20 }, () => post(serve, 'github', valid)));
    await Promise.all([health, ...slow]);
    assert.ok(
      codes.every((c) => [400, 401, 413].includes(c)),
      `unexpected codes: ${[...new Set(codes)].join(', ')}`,
    );
    assert.equal(
      replays.filter((r) => r.code === 202 && r.body.status !== 'duplicate').length,
      1,
      JSON.stringify(replays.map((r) => r.body.status)),
    );
    await new Promise((r) => setTimeout(r, 1500));
    const after = await metric(serve, 'bosun_reconciles_total', { trigger: 'webhook' });
    assert.ok(after - before <= 1, `hostile traffic caused ${after - before} reconciles`);
    assert.equal((await status(serve)).applied?.release, 1, 'no new release');
    console.log(
      `      ${codes.length} hostile requests refused; /healthz worst ${worstHealthMs} ms under 10 slow clients`,
    );
    assert.ok(worstHealthMs < 2_000, `healthz took ${worstHealthMs} ms`);
  });
});
