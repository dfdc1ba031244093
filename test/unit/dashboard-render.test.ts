import { strict as assert } from 'node:assert';
import type { IncomingMessage } from 'node:http';
import { plan } from '../../src/backends/docker/plan/plan.ts';
import type { ConfigSpec } from '../../src/model/desired.ts';
import type { Release } from '../../src/model/release.ts';
import type { StatusSnapshot } from '../../src/server/status.ts';
import { COOKIE, UiAuth, sameOrigin, sameSecret } from '../../src/server/ui/auth.ts';
import { escapeHtml, html } from '../../src/server/ui/html.ts';
import { planHtml } from '../../src/server/ui/plan-html.ts';
import { releasePage, releasesPage } from '../../src/server/ui/page-releases.ts';
import { releaseDiff } from '../../src/server/ui/release-diff.ts';
import { syncState } from '../../src/server/ui/sync-state.ts';
import { converged, desired, service } from '../helpers/model.ts';

const ctx = { repo: 'https://git.example/shop.git', ref: 'main', revision: 'a'.repeat(40) };
const EVIL = `<script>alert("x")</script><img src=x onerror='y'>`;
const SECRET_VALUE = 's3cr3t-value-never-shown';

function secretConfig(value: string): ConfigSpec {
  return { name: 'creds', prefix: '/shop/creds/', data: { PASSWORD: value }, secret: true };
}

function release(over: Partial<Release> = {}): Release {
  return {
    number: 2,
    project: 'shop',
    repo: 'https://git.example/shop.git',
    ref: 'main',
    revision: 'b'.repeat(40),
    trigger: 'webhook',
    actor: 'ops@host',
    desired: desired([service('web')]),
    images: { web: 'sha256:1' },
    summary: { create: 0, replace: 1, remove: 0, keysPut: 0, keysDeleted: 0, networks: 0, volumes: 0 },
    operations: ['~ replace container shop-web-1 — image app:1 → app:2'],
    startedAt: '2026-12-01T10:00:00.000Z',
    finishedAt: '2026-12-01T10:00:04.000Z',
    status: 'succeeded',
    ...over,
  };
}

function snapshot(over: Partial<StatusSnapshot> = {}): StatusSnapshot {
  return {
    repo: ctx.repo,
    ref: 'main',
    project: 'shop',
    applied: { revision: 'b'.repeat(40), release: 2 },
    lastAttempt: null,
    lastWebhook: null,
    lastDrift: null,
    queue: { running: false, pending: false, coalesced: 0 },
    pinned: null,
    leader: true,
    leaderName: null,
    draining: false,
    startedAt: '2026-12-01T09:00:00.000Z',
    ...over,
  };
}

describe('dashboard rendering', () => {
  it('escapes every interpolated value and passes only Html through', () => {
    assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const inner = html`<b>${EVIL}</b>`;
    assert.equal(
      html`<p>${inner}${[EVIL, 1]}${undefined}${false}</p>`.text,
      `<p><b>${escapeHtml(EVIL)}</b>${escapeHtml(EVIL)}1</p>`,
    );
  });

  it('shows names, errors and actors from the store as text, never as markup', () => {
    const r = release({
      actor: EVIL,
      status: 'rolled-back',
      error: {
        code: 'E_CONTAINER_FAILED',
        message: `container shop-web-1 unhealthy; last healthcheck exited 1: ${EVIL}`,
      },
      operations: [EVIL],
    });
    const page = releasePage('shop', r, undefined, { mode: 'read-only' }).text;
    assert.ok(!page.includes('<script>alert'), 'a script tag from the store reached the page');
    assert.ok(!page.includes('<img src=x'), 'an img tag from the store reached the page');
    assert.ok(page.includes(escapeHtml(EVIL)));
    assert.ok(page.includes('last healthcheck exited 1'));
    assert.match(page, /Why it was rolled back/);
    assert.match(page, /--ui-token-file/, 'a read-only page says how to enable actions');
    const list = releasesPage('shop', [r], { mode: 'read-only' }).text;
    assert.ok(!list.includes('<script>alert') && list.includes('rolled-back'));
  });

  it('renders a release as a field-level diff against the one before, secrets masked', () => {
    const before = desired([service('web', { image: 'app:1', env: { LEVEL: 'info' } })], [secretConfig('old-secret')]);
    const after = desired([service('web', { image: 'app:2', env: { LEVEL: 'debug' } })], [secretConfig(SECRET_VALUE)]);
    const sections = releaseDiff(before, after);
    assert.deepEqual(
      sections.map((s) => [s.kind, s.name, s.change, s.fields.map((f) => f.path)]),
      [
        ['Service', 'web', 'changed', ['env.LEVEL', 'image']],
        ['Config', 'creds', 'changed', ['data.PASSWORD']],
      ],
    );
    const page = releasePage('shop', release({ desired: after }), release({ number: 1, desired: before }), {
      mode: 'read-only',
    }).text;
    assert.ok(page.includes('app:1') && page.includes('app:2'));
    assert.ok(!page.includes(SECRET_VALUE) && !page.includes('old-secret'), 'a secret value reached the page');
    assert.match(page, /data\.PASSWORD[\s\S]*\(secret\)[\s\S]*\(secret\)/);
  });

  it('renders a pending plan with the CLI wording, field changes and masked secret keys', () => {
    const before = desired([service('web', { image: 'app:1' })]);
    const after = desired([service('web', { image: 'app:2' })], [secretConfig(SECRET_VALUE)]);
    const text = planHtml(plan(after, converged(before), ctx)).text;
    assert.match(text, /replace<\/span> <code>container shop-web-1/);
    assert.match(
      text,
      /<code>image<\/code><\/th><td class="from"><code>app:1<\/code><\/td><td class="to"><code>app:2<\/code>/,
    );
    assert.match(text, /put<\/span> <code>key \/shop\/creds\/PASSWORD = \(secret\)<\/code>/);
    assert.ok(!text.includes(SECRET_VALUE));
    assert.match(planHtml(plan(before, converged(before), ctx)).text, /No changes/);
  });

  it('names the sync state a person reads first', () => {
    const seen = 'b'.repeat(40);
    const cases: [Partial<StatusSnapshot>, Partial<Release> | undefined, string | undefined, string][] = [
      [{}, {}, seen, 'in-sync'],
      [{}, {}, 'c'.repeat(40), 'out-of-sync'],
      [{ pinned: { release: 1, at: 'now', by: 'ops' } }, {}, seen, 'pinned'],
      [{}, { status: 'applying' }, seen, 'applying'],
      [{}, { status: 'rolled-back', number: 3 }, seen, 'rolled-back'],
      [{}, { status: 'failed', number: 3 }, seen, 'failed'],
      [{ applied: null }, undefined, undefined, 'unknown'],
      [
        {
          lastAttempt: {
            trigger: 'poll',
            at: 'now',
            durationMs: 1,
            result: 'stalled',
            error: { code: 'E_MANIFEST_INVALID', message: 'bad', disposition: 'stalled' },
          },
        },
        {},
        seen,
        'failed',
      ],
    ];
    for (const [s, r, rev, want] of cases)
      assert.equal(syncState(snapshot(s), r && release(r), rev).state, want, JSON.stringify([s, r, rev]));
  });
});

describe('dashboard auth', () => {
  const TOKEN = 't'.repeat(32);
  const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

  it('takes the token as a bearer header or a login cookie, and nothing else', () => {
    const auth = new UiAuth(TOKEN);
    assert.deepEqual(auth.who(req({ authorization: `Bearer ${TOKEN}` })), { via: 'bearer' });
    assert.equal(auth.who(req({ authorization: `Bearer ${TOKEN}x` })), undefined);
    assert.equal(auth.login('wrong'), undefined);
    const done = auth.login(TOKEN)!;
    assert.match(done.cookie, new RegExp(`^${COOKIE}=[\\w-]+; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=43200$`));
    const who = auth.who(req({ cookie: `other=1; ${COOKIE}=${done.session}` }));
    assert.deepEqual(who, { via: 'cookie', session: done.session });
    assert.equal(auth.who(req({ cookie: `${COOKIE}=forged` })), undefined);
    // a cookie's POST needs its own session's CSRF token; a bearer's needs none
    assert.equal(auth.csrfValid(who, undefined), false);
    assert.equal(auth.csrfValid(who, 'nope'), false);
    assert.equal(auth.csrfValid(who, auth.csrfFor('another session')), false);
    assert.equal(auth.csrfValid(who, auth.csrfFor(done.session)), true);
    assert.equal(auth.csrfValid({ via: 'bearer' }, undefined), true);
    assert.equal(auth.csrfValid(undefined, auth.csrfFor(done.session)), false);
  });

  it('ends a login when it expires', () => {
    let now = 0;
    const auth = new UiAuth(TOKEN, () => now);
    const done = auth.login(TOKEN)!;
    now = 13 * 3600_000;
    assert.equal(auth.who(req({ cookie: `${COOKIE}=${done.session}` })), undefined);
  });

  it('compares secrets whatever their lengths and refuses another origin', () => {
    assert.equal(sameSecret('a', 'a'), true);
    assert.equal(sameSecret('a', 'ab'), false);
    assert.equal(sameOrigin(req({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' })), true);
    assert.equal(sameOrigin(req({ host: '127.0.0.1:8080', origin: 'http://evil.example' })), false);
    assert.equal(sameOrigin(req({ host: '127.0.0.1:8080', origin: 'null' })), false);
    assert.equal(sameOrigin(req({ host: '127.0.0.1:8080' })), true);
  });
});
