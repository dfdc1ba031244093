import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import net from 'node:net';
import { TokenBuckets } from '../../src/server/webhook/rate-limit.ts';
import { hmacHex } from '../../src/server/webhook/verify.ts';
import { hook, mainPush, REPO_FIELDS, SECRET, serve, sha } from '../helpers/webhook-server.ts';

const ghHeaders = (body: string, delivery = randomUUID()) => ({
  'x-github-event': 'push',
  'x-hub-signature-256': sha(body),
  'x-github-delivery': delivery,
});

/** Opens a raw connection; resolves with how long the server took to close it (or `limitMs` if it did not). */
async function closedWithin(port: number, send: (s: net.Socket) => void, limitMs: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const t = Date.now();
  socket.on('error', () => {});
  socket.on('data', () => {});
  send(socket);
  const closed = once(socket, 'close').then(() => Date.now() - t);
  const timeout = new Promise<number>((r) => setTimeout(() => r(limitMs), limitMs));
  const ms = await Promise.race([closed, timeout]);
  socket.destroy();
  return ms;
}

/** Writes one byte every `everyMs` until the socket closes. */
function trickle(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const t = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(t);
    socket.write(text[i++]!);
  }, everyMs);
  socket.once('close', () => clearInterval(t));
}

describe('server: webhook limits on real sockets', () => {
  it('answers only the enabled endpoints: a GitHub signature replayed onto /hooks/gitea is 404', async () => {
    const s = await serve({ deps: { providers: new Set(['github'] as const) } });
    try {
      const hex = hmacHex(mainPush, SECRET);
      const r = await hook(s, 'gitea', mainPush, { 'x-gitea-event': 'push', 'x-gitea-signature': hex });
      assert.deepEqual(
        [r.code, r.body.error],
        [404, 'webhook provider gitea is not enabled (--webhook-providers github)'],
      );
      assert.equal((await hook(s, 'github', mainPush, ghHeaders(mainPush))).code, 202);
      assert.deepEqual(s.pushes, ['github']);
    } finally {
      await s.close();
    }
  });

  it('a captured push replayed with a new delivery id, or onto another enabled endpoint, is a duplicate', async () => {
    const s = await serve();
    try {
      assert.equal((await hook(s, 'github', mainPush, ghHeaders(mainPush))).code, 202);
      const again = await hook(s, 'github', mainPush, ghHeaders(mainPush));
      assert.deepEqual([again.code, again.body.status], [200, 'duplicate']);
      const generic = await hook(s, 'generic', mainPush, { 'x-signature': sha(mainPush) });
      assert.deepEqual([generic.code, generic.body.status], [200, 'duplicate']);
      assert.deepEqual(s.pushes, ['github']);
    } finally {
      await s.close();
    }
  });

  it('a push of another repository, or naming none, is 202 ignored with the reason', async () => {
    const s = await serve();
    try {
      const foreign = JSON.stringify({
        ref: 'refs/heads/main',
        after: 'f',
        repository: { full_name: 'evil/shop', clone_url: 'https://git.example/evil/shop.git' },
      });
      const r = await hook(s, 'github', foreign, ghHeaders(foreign));
      assert.deepEqual(r.body, {
        status: 'ignored',
        reason: 'repository evil/shop; following https://git.example/acme/shop.git',
      });
      const none = JSON.stringify({ ref: 'refs/heads/main', after: 'g' });
      assert.deepEqual((await hook(s, 'github', none, ghHeaders(none))).body, {
        status: 'ignored',
        reason: 'the payload names no repository',
      });
      const generic = JSON.stringify({ ref: 'main', id: 'g2' });
      assert.equal(
        (await hook(s, 'generic', generic, { 'x-signature': sha(generic) })).code,
        202,
        'generic may omit it',
      );
      assert.deepEqual(s.pushes, ['generic']);
    } finally {
      await s.close();
    }
  });

  it('429 with Retry-After once a source spent its burst, before the body is read', async () => {
    let now = 0;
    const s = await serve({ deps: { rate: new TokenBuckets({ burst: 2, perSecond: 0.25 }), now: () => now } });
    try {
      const codes = [];
      for (let i = 0; i < 3; i++) {
        const body = JSON.stringify({ ref: 'refs/heads/main', after: `r${i}`, ...REPO_FIELDS });
        const r = await hook(s, 'github', body, ghHeaders(body));
        codes.push([r.code, r.retryAfter]);
      }
      assert.deepEqual(codes, [
        [202, null],
        [202, null],
        [429, '4'],
      ]);
      now = 4_000;
      const late = JSON.stringify({ ref: 'refs/heads/main', after: 'late', ...REPO_FIELDS });
      assert.equal((await hook(s, 'github', late, ghHeaders(late))).code, 202);
      assert.deepEqual(s.replies, ['accepted', 'accepted', 'rate_limited', 'accepted']);
    } finally {
      await s.close();
    }
  });

  it('503 busy while the bodies in flight are at their cap', async () => {
    const s = await serve({ deps: { bodies: { inFlight: 1, max: 1 } } });
    try {
      const r = await hook(s, 'github', mainPush, ghHeaders(mainPush));
      assert.deepEqual([r.code, r.retryAfter, r.body.error], [503, '1', 'too many deliveries in progress']);
    } finally {
      await s.close();
    }
  });

  it('a trickled body is answered 408 and the connection closed at the body deadline', async () => {
    const s = await serve({ deps: { bodyTimeoutMs: 300 } });
    try {
      const port = Number(new URL(s.url).port);
      const head =
        'POST /hooks/github HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n';
      const ms = await closedWithin(port, (sock) => (sock.write(head), trickle(sock, ' '.repeat(1000), 50)), 3_000);
      assert.ok(ms >= 250 && ms < 1_500, `closed after ${ms} ms`);
      assert.deepEqual(s.replies, ['timeout']);
    } finally {
      await s.close();
    }
  });

  it('trickled headers are cut at the header timeout', async () => {
    const s = await serve({ limits: { headersTimeoutMs: 600, requestTimeoutMs: 1_200 } });
    try {
      const port = Number(new URL(s.url).port);
      const ms = await closedWithin(
        port,
        (sock) => trickle(sock, 'GET /status HTTP/1.1\r\nX-Slow: ' + 'a'.repeat(500), 50),
        4_000,
      );
      assert.ok(ms < 2_000, `closed after ${ms} ms`);
      const idle = await closedWithin(port, () => {}, 4_000);
      assert.ok(idle < 2_000, `a silent connection closed after ${idle} ms`);
    } finally {
      await s.close();
    }
  });

  it('closes connections over the global cap at once', async () => {
    const s = await serve({ limits: { maxConnections: 2 } });
    try {
      const port = Number(new URL(s.url).port);
      const held = [net.connect(port, '127.0.0.1'), net.connect(port, '127.0.0.1')];
      await Promise.all(held.map((x) => once(x, 'connect')));
      await new Promise((r) => setTimeout(r, 100));
      const third = await closedWithin(port, () => {}, 2_000);
      assert.ok(third < 500, `the third connection was closed after ${third} ms`);
      assert.deepEqual(s.refused, ['global']);
      for (const x of held) x.destroy();
    } finally {
      await s.close();
    }
  });

  it('closes connections over the per-source cap at once, and serves again when they go', async () => {
    const s = await serve({ limits: { maxConnectionsPerSource: 3 } });
    try {
      const port = Number(new URL(s.url).port);
      const sockets = await Promise.all(
        Array.from({ length: 6 }, async () => {
          const sock = net.connect(port, '127.0.0.1');
          sock.on('error', () => {});
          await once(sock, 'connect');
          return sock;
        }),
      );
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(sockets.filter((x) => x.destroyed || x.readableEnded).length, 3, 'three were closed');
      assert.deepEqual(s.refused, ['source', 'source', 'source']);
      await fetch(`${s.url}/healthz`).then(
        () => assert.fail('a fourth connection from the same source was served'),
        () => undefined,
      );
      for (const x of sockets) x.destroy();
      await new Promise((r) => setTimeout(r, 100));
      assert.equal((await fetch(`${s.url}/healthz`)).status, 200);
    } finally {
      await s.close();
    }
  });
});
