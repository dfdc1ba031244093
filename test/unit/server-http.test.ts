import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import { hmacHex } from '../../src/server/webhook/verify.ts';
import { hook, LIMIT, mainPush, REPO_FIELDS, SECRET, serve, sha, type Srv } from '../helpers/webhook-server.ts';

describe('server: HTTP routes and webhook handling (real sockets)', () => {
  let s: Srv;
  beforeEach(async () => (s = await serve()));
  afterEach(async () => s.close());

  it('accepts a correctly signed push on every provider with 202 and queues it', async () => {
    // each push names another commit: one body delivered twice, to any endpoint, is processed once
    const push = (after: string) => JSON.stringify({ ref: 'refs/heads/main', before: 'a', after, ...REPO_FIELDS });
    const deliveries: [string, string, (body: string) => Record<string, string>][] = [
      ['github', push('c1'), (b) => ({ 'x-github-event': 'push', 'x-hub-signature-256': sha(b) })],
      ['gitlab', push('c2'), () => ({ 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRET })],
      ['gitea', push('c3'), (b) => ({ 'x-gitea-event': 'push', 'x-gitea-signature': hmacHex(b, SECRET) })],
      [
        'bitbucket',
        JSON.stringify({ changes: [{ ref: { id: 'refs/heads/main' } }], ...REPO_FIELDS }),
        (b) => ({ 'x-event-key': 'repo:refs_changed', 'x-hub-signature': sha(b) }),
      ],
      ['generic', push('c5'), (b) => ({ 'x-signature': sha(b) })],
    ];
    for (const [provider, body, headers] of deliveries) {
      const r = await hook(s, provider, body, headers(body));
      assert.equal(r.code, 202, `${provider}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body, { status: 'accepted', queued: 'started' });
    }
    assert.deepEqual(s.pushes, ['github', 'gitlab', 'gitea', 'bitbucket', 'generic']);
  });

  it('401 for a missing or wrong signature, 400 for malformed JSON, and nothing queued', async () => {
    assert.equal((await hook(s, 'github', mainPush, { 'x-github-event': 'push' })).code, 401);
    assert.deepEqual(
      (await hook(s, 'github', mainPush, { 'x-github-event': 'push', 'x-hub-signature-256': sha('other') })).body,
      { error: 'signature mismatch' },
    );
    assert.equal((await hook(s, 'gitlab', mainPush, { 'x-gitlab-token': 'guess' })).code, 401);
    const broken = '{"ref": "refs/heads/main",';
    assert.equal(
      (await hook(s, 'github', broken, { 'x-github-event': 'push', 'x-hub-signature-256': sha(broken) })).code,
      400,
    );
    assert.deepEqual(s.pushes, []);
    assert.deepEqual(s.replies, ['unauthorized', 'unauthorized', 'unauthorized', 'malformed']);
  });

  it('200 for pings, 202 ignored for other branches and events, 200 for a redelivery', async () => {
    const ping = JSON.stringify({ zen: 'hi' });
    assert.equal(
      (await hook(s, 'github', ping, { 'x-github-event': 'ping', 'x-hub-signature-256': sha(ping) })).code,
      200,
    );
    const dev = JSON.stringify({ ref: 'refs/heads/dev', ...REPO_FIELDS });
    const other = await hook(s, 'github', dev, { 'x-github-event': 'push', 'x-hub-signature-256': sha(dev) });
    assert.deepEqual([other.code, other.body.status], [202, 'ignored']);
    assert.match(String(other.body.reason), /push to refs\/heads\/dev; following main/);
    const issue = JSON.stringify({ action: 'opened', ...REPO_FIELDS });
    assert.equal(
      (await hook(s, 'github', issue, { 'x-github-event': 'issues', 'x-hub-signature-256': sha(issue) })).body.status,
      'ignored',
    );
    const id = randomUUID();
    const headers = { 'x-github-event': 'push', 'x-hub-signature-256': sha(mainPush), 'x-github-delivery': id };
    assert.equal((await hook(s, 'github', mainPush, headers)).code, 202);
    const again = await hook(s, 'github', mainPush, headers);
    assert.deepEqual([again.code, again.body.status], [200, 'duplicate']);
    assert.deepEqual(s.pushes, ['github'], 'only the first delivery was queued');
  });

  it('413 for a body over the limit, declared or streamed, without reading it all', async () => {
    const big = 'x'.repeat(LIMIT + 1);
    const r = await hook(s, 'github', big, { 'x-hub-signature-256': sha(big) });
    assert.equal(r.code, 413);
    // a streamed body has no length to refuse up front: the server stops reading past the limit
    // and closes, so the client sees the 413 or, if it was still writing, the connection closed
    const streamed = await chunkedPost(`${s.url}/hooks/generic`, 64 * 1024, 64);
    assert.ok(streamed.code === 413 || streamed.code === 'closed', String(streamed.code));
    assert.ok(streamed.sent < 64 * 64 * 1024, `the server read all ${streamed.sent} bytes`);
    assert.deepEqual(s.replies, ['too_large', 'too_large']);
    assert.deepEqual(s.pushes, []);
  });

  it('health, readiness with the failing check named, metrics, status, 404 and 405', async () => {
    assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(await ready.json(), { ready: false, docker: 'ok', store: 'unreachable: nope' });
    assert.equal(await (await fetch(`${s.url}/metrics`)).text(), 'm 1\n');
    assert.deepEqual(await (await fetch(`${s.url}/status`)).json(), { ok: true });
    assert.equal((await fetch(`${s.url}/nope`)).status, 404);
    assert.equal((await fetch(`${s.url}/hooks/svn`, { method: 'POST', body: '{}' })).status, 404);
    assert.equal((await fetch(`${s.url}/hooks/github`)).status, 405);
  });
});

describe('server: webhooks without a secret or while shutting down', () => {
  it('answers 503 with a clear message and queues nothing', async () => {
    for (const opts of [{ secret: undefined }, { accepting: false }]) {
      const s = await serve(opts);
      try {
        const r = await hook(s, 'github', mainPush, { 'x-github-event': 'push', 'x-hub-signature-256': sha(mainPush) });
        assert.equal(r.code, 503);
        assert.match(
          String(r.body.error),
          opts.accepting === false ? /shutting down/ : /no secret is configured .*never accepted/,
        );
        assert.deepEqual(s.pushes, []);
      } finally {
        await s.close();
      }
    }
  });
});

/** Streams `chunks` chunks of `size` bytes (no Content-Length); counts what went out before the answer or the close. */
function chunkedPost(url: string, size: number, chunks: number): Promise<{ code: number | 'closed'; sent: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = http.request(url, { method: 'POST', headers: { 'transfer-encoding': 'chunked' } }, (res) => {
      answered = true;
      res.resume();
      resolve({ code: res.statusCode ?? 0, sent });
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return;
      answered = true;
      if (err.code === 'EPIPE' || err.code === 'ECONNRESET') resolve({ code: 'closed', sent });
      else reject(err);
    });
    const chunk = Buffer.alloc(size, 0x61);
    const pump = (i: number) => {
      if (answered || i === chunks) return void req.end();
      sent += size;
      req.write(chunk, () => setImmediate(() => pump(i + 1)));
    };
    pump(0);
  });
}
