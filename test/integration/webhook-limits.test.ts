import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cleanupProject, ensureTestImages, uniqueProject } from '../helpers/docker.ts';
import { startGitServer, type GitServer, type TestRepo } from '../helpers/git-server.ts';
import { githubPush, metric, post, sign, startServe, status, waitFor, type ServeProcess } from '../helpers/serve.ts';
import { present, stackFiles } from '../helpers/stack.ts';

const SECRET = 'whr-limits-secret';
const NO_POLL = '0 0 1 1 *';

/** GET `url` from the loopback address `from` (127.0.0.0/8 is all loopback): a source of its own. */
function getFrom(url: string, from: string): Promise<{ code: number; ms: number }> {
  const t = Date.now();
  return new Promise((resolve, reject) => {
    const req = http.get(url, { localAddress: from, agent: false, timeout: 5_000 }, (res) => {
      res.resume();
      res.on('end', () => resolve({ code: res.statusCode ?? 0, ms: Date.now() - t }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url} in 5 s`)));
    req.on('error', reject);
  });
}

/** A raw connection from `from`; `closed` resolves with ms from connect to the server closing it. */
async function rawSocket(port: number, from: string) {
  const socket = net.connect({ port, host: '127.0.0.1', localAddress: from });
  socket.on('error', () => {});
  let answer = '';
  socket.on('data', (d: Buffer) => (answer += d.toString('latin1')));
  await once(socket, 'connect').catch(() => undefined);
  const t = Date.now();
  const closed = once(socket, 'close').then(() => Date.now() - t);
  return { socket, closed, answer: () => answer };
}

/**
 * 300 sockets from 5 loopback sources (60 each, over the 32 allowed per source), each declaring a 1 MiB body and sending 900 KiB of it,
 * then stalling; prints how long each took to be closed by the server (ms, -1 if never in 20 s).
 */
const FLOOD = `
const net = require('node:net');
const port = Number(process.argv[1]);
const chunk = Buffer.alloc(900 * 1024, 0x20);
const one = (i) => new Promise((resolve) => {
  const s = net.connect({ port, host: '127.0.0.1', localAddress: '127.0.2.' + ((i % 5) + 1) });
  s.on('error', () => {});
  const t = Date.now();
  const giveUp = setTimeout(() => { s.destroy(); resolve(-1); }, 20000);
  s.on('close', () => { clearTimeout(giveUp); resolve(Date.now() - t); });
  s.on('data', () => {});
  s.write('POST /hooks/github HTTP/1.1\\r\\nHost: x\\r\\nContent-Length: 1048576\\r\\n\\r\\n');
  s.write(chunk);
});
Promise.all(Array.from({ length: 300 }, (_, i) => one(i))).then((t) => process.stdout.write(JSON.stringify(t)));
`;

function rssMiB(pid: number): Promise<number> {
  return fs.readFile(`/proc/${pid}/status`, 'utf8').then((s) => Number(/VmRSS:\s+(\d+) kB/.exec(s)![1]) / 1024);
}

/** Issue 12 item 7 against the real `bosun serve`: a slow or flooding client cannot hold it. */
describe('bosun serve webhook limits (real serve on 127.0.0.1, docker, git over HTTP)', function () {
  this.timeout(120_000);
  const project = uniqueProject('whr-limits');
  let server: GitServer;
  let repo: TestRepo;
  let s: ServeProcess;
  let tmp: string;
  let port: number;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    repo = await server.createRepo(project, present(stackFiles(project, { worker: false, webReplicas: 1 })));
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'bosun-whr-limits-'));
    s = await startServe(
      [
        ...['--repo', repo.url, '--ref', 'main', '--poll', NO_POLL, '--webhook-providers', 'github'],
        ...['--state', `file:${tmp}/state`, '--cache-dir', `${tmp}/cache`],
      ],
      { BOSUN_WEBHOOK_SECRET: SECRET },
    );
    port = Number(new URL(s.url).port);
    const head = await repo.head();
    await waitFor(
      'first converge',
      async () => ((await status(s)).applied?.revision === head ? true : undefined),
      60_000,
      s,
    );
  });
  after(async () => {
    await s?.stop('SIGKILL');
    await cleanupProject(project);
    await server?.close();
    if (tmp) await fs.rm(tmp, { recursive: true, force: true });
  });

  /**
   * Polls /status from its own source every 200 ms while `work` runs: the slowest and the median
   * answer (this machine is shared: a single slow answer can be the scheduler, the median is not).
   */
  async function statusWhile<T>(
    work: Promise<T>,
    from = '127.0.0.200',
  ): Promise<{ result: T; worstMs: number; medianMs: number }> {
    let done = false;
    const times: number[] = [];
    const probe = (async () => {
      for (let i = 0; i < 300 && !done; i++) {
        const r = await getFrom(`${s.url}/status`, from);
        assert.equal(r.code, 200);
        times.push(r.ms);
        await new Promise((res) => setTimeout(res, 200));
      }
    })();
    const result = await work.finally(() => (done = true));
    await probe;
    times.sort((a, b) => a - b);
    return { result, worstMs: times.at(-1) ?? 0, medianMs: times[times.length >> 1] ?? 0 };
  }

  it('slow-loris: trickled headers are cut at the 5 s header timeout, a trickled body at the 10 s body deadline', async () => {
    const head =
      'POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 5000\r\n\r\n';
    const clients = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const c = await rawSocket(port, `127.0.1.${i + 1}`);
        const slowHeaders = i % 2 === 0;
        const text = slowHeaders ? head : ' '.repeat(5000);
        if (!slowHeaders) c.socket.write(head);
        let k = 0;
        const drip = setInterval(() => (k < text.length ? c.socket.write(text[k++]!) : clearInterval(drip)), 250);
        void c.closed.then(() => clearInterval(drip));
        return { slowHeaders, ...c };
      }),
    );
    const { result: times, worstMs, medianMs } = await statusWhile(Promise.all(clients.map((c) => c.closed)));
    const headerCuts = times.filter((_, i) => clients[i]!.slowHeaders);
    const bodyCuts = times.filter((_, i) => !clients[i]!.slowHeaders);
    console.log(
      `      headers cut after ${Math.max(...headerCuts)} ms, bodies after ${Math.max(...bodyCuts)} ms; /status median ${medianMs} ms, worst ${worstMs} ms`,
    );
    assert.ok(Math.max(...headerCuts) < 7_000, `headers: ${headerCuts.join(', ')} ms`);
    assert.ok(Math.min(...bodyCuts) >= 9_000 && Math.max(...bodyCuts) < 12_000, `bodies: ${bodyCuts.join(', ')} ms`);
    assert.ok(clients.filter((c) => !c.slowHeaders).every((c) => c.answer().startsWith('HTTP/1.1 408')));
    assert.ok(medianMs < 250 && worstMs < 3_000, `/status median ${medianMs} ms, worst ${worstMs} ms`);
  });

  it('connection flood: 300 sockets posting 1 MB bodies from 5 sources; bounded memory, /status answers', async () => {
    const base = await rssMiB(s.pid);
    let peak = base;
    const sampler = setInterval(() => void rssMiB(s.pid).then((m) => (peak = Math.max(peak, m))), 100);
    // the flood runs in a child process: writing 270 MB would otherwise stall this one's /status probe
    const flood = async () => {
      const child = spawn(process.execPath, ['-e', FLOOD, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      await once(child, 'exit');
      return JSON.parse(out) as number[];
    };
    const { result: times, worstMs, medianMs } = await statusWhile(flood());
    clearInterval(sampler);
    const growth = peak - base;
    console.log(
      `      300 sockets: all closed by ${Math.max(...times)} ms (${await metric(s, 'bosun_http_connections_refused_total')} at once); RSS ${base.toFixed(0)} → peak ${peak.toFixed(0)} MiB; /status median ${medianMs} ms, worst ${worstMs} ms`,
    );
    assert.ok(
      times.every((t) => t >= 0 && t < 13_000),
      'every flooding socket was closed by the server',
    );
    assert.ok(growth < 80, `RSS grew ${growth.toFixed(0)} MiB`);
    assert.ok(medianMs < 250 && worstMs < 3_000, `/status median ${medianMs} ms, worst ${worstMs} ms`);
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
  });

  it('a captured push replayed with a new delivery id is a duplicate: one reconcile', async () => {
    const runs = () => metric(s, 'bosun_reconciles_total', { trigger: 'webhook' });
    const before = await runs();
    const sha = await repo.commit(stackFiles(project, { worker: false, webReplicas: 1, level: 'replay' }), 'replay');
    const push = githubPush(repo.url, 'main', sha, SECRET);
    assert.equal((await post(s, 'github', push)).code, 202);
    const replay = await post(s, 'github', { ...push, headers: { ...push.headers, 'x-github-delivery': 'forged-id' } });
    assert.deepEqual([replay.code, replay.body.status], [200, 'duplicate']);
    await waitFor(
      'the push applied',
      async () => ((await status(s)).applied?.revision === sha ? true : undefined),
      60_000,
      s,
    );
    await new Promise((r) => setTimeout(r, 500));
    assert.equal((await runs()) - before, 1);
  });

  it('a GitHub signature on /hooks/gitea is refused when only github is enabled', async () => {
    const push = githubPush(repo.url, 'main', await repo.head(), SECRET);
    assert.equal(s.logs.find((l) => typeof l.address === 'string')!.webhooks, 'github');
    assert.ok(!s.logs.some((l) => String(l.msg).includes('--webhook-providers')), 'no warning: the provider is listed');
    const hex = sign(push.body, SECRET);
    const r = await post(s, 'gitea', {
      body: push.body,
      headers: { 'x-gitea-event': 'push', 'x-gitea-signature': hex },
    });
    assert.deepEqual(
      [r.code, r.body.error],
      [404, 'webhook provider gitea is not enabled (--webhook-providers github)'],
    );
    assert.equal(await metric(s, 'bosun_webhooks_total', { provider: 'gitea', status: 'not_enabled' }), 1);
  });

  it('a signed push of another repository is 202 ignored and reconciles nothing', async () => {
    const runs = await metric(s, 'bosun_reconciles_total');
    const foreign = githubPush(server.url('whr-someone-else'), 'main', 'f'.repeat(40), SECRET);
    const r = await post(s, 'github', foreign);
    assert.equal(r.code, 202);
    assert.equal(r.body.status, 'ignored');
    assert.match(String(r.body.reason), /^repository http:\/\/127\.0\.0\.1:\d+\/whr-someone-else\.git; following /);
    await new Promise((res) => setTimeout(res, 500));
    assert.equal(await metric(s, 'bosun_reconciles_total'), runs);
  });
});
