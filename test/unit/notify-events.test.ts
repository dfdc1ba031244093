import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import type { Release } from '../../src/model/release.ts';
import { commitStatusTarget, forgeRepo, statusRequest } from '../../src/server/notify/commit-status.ts';
import type { CommitStatusConfig, TargetConfig } from '../../src/server/notify/config.ts';
import { maskValues, secretValues } from '../../src/model/mask.ts';
import { type EventContext, releaseEvent } from '../../src/server/notify/events.ts';
import { backoffDelay, retryable, retryAfterMs } from '../../src/server/notify/retry.ts';
import { configuredTarget, signBody } from '../../src/server/notify/targets.ts';

const ctx: EventContext = {
  controller: { host: 'ctl-1', instance: 'ctl-1:42' },
  id: () => 'evt-1',
  now: () => new Date('2026-12-02T03:00:00Z'),
  dashboardUrl: 'https://bosun.example.com/',
};

function release(over: Partial<Release> = {}): Release {
  return {
    number: 7,
    project: 'shop',
    repo: 'https://user:tok3n@git.example.com/acme/shop.git',
    ref: 'main',
    revision: 'a'.repeat(40),
    trigger: 'webhook',
    actor: 'root@ctl-1',
    desired: {
      project: { name: 'shop' },
      services: [],
      configs: [
        {
          name: 'db',
          prefix: '/shop/db/',
          data: { PASSWORD: 'hunter2-very-secret', OPTS: '{"token":"tok-inner"}' },
          secret: true,
        },
        { name: 'app', prefix: '/shop/app/', data: { LEVEL: 'info' }, secret: false },
      ],
    } as unknown as Release['desired'],
    images: {},
    summary: {} as Release['summary'],
    operations: [],
    startedAt: '2026-12-02T02:59:00Z',
    finishedAt: '2026-12-02T03:00:00Z',
    status: 'rolled-back',
    error: { code: 'E_HEALTH', message: 'api unhealthy: printed hunter2-very-secret and tok-inner to its log' },
    ...over,
  };
}

describe('notification events', () => {
  it('a finished release: its facts, the error with every secret value masked, no desired state, no credentials', () => {
    const ev = releaseEvent(release(), ctx);
    assert.deepEqual(ev, {
      event: 'release.rolled-back',
      id: 'evt-1',
      project: 'shop',
      at: '2026-12-02T03:00:00.000Z',
      summary: `shop: release 7 rolled back (aaaaaaaaaaaa): api unhealthy: printed (secret) and (secret) to its log`,
      controller: { host: 'ctl-1', instance: 'ctl-1:42' },
      url: 'https://bosun.example.com/',
      release: 7,
      revision: 'a'.repeat(40),
      repo: 'https://git.example.com/acme/shop.git',
      ref: 'main',
      trigger: 'webhook',
      result: 'rolled-back',
      error: { code: 'E_HEALTH', message: 'api unhealthy: printed (secret) and (secret) to its log' },
      startedAt: '2026-12-02T02:59:00Z',
      finishedAt: '2026-12-02T03:00:00Z',
    });
    assert.equal(releaseEvent(release({ status: 'applying', error: undefined }), ctx).event, 'release.started');
    assert.equal(releaseEvent(release({ status: 'interrupted' }), ctx).event, 'release.failed');
  });

  it('finds secret values wherever the model marks them, and masks the longest first', () => {
    const values = secretValues({
      a: [{ secret: true, value: 'v-one', previous: 'v-two' }],
      b: { secret: false, value: 'plain' },
    });
    assert.deepEqual([...values].sort(), ['v-one', 'v-two']);
    assert.equal(maskValues('pw=abcdef and abc', ['abc', 'abcdef', 'x']), 'pw=(secret) and (secret)');
  });
});

const hook = (over: Partial<TargetConfig> = {}): TargetConfig => ({
  name: 'ops',
  type: 'webhook',
  url: 'https://hooks.test/T0/XYZ',
  secret: 'hook-key',
  events: new Set(['release.rolled-back']),
  ...over,
});

describe('notification targets', () => {
  const ev = releaseEvent(release(), ctx);
  const sentAt = new Date('2026-12-02T03:00:05Z');

  it('a webhook: the event as JSON, signed as GitHub signs (HMAC-SHA256 of the body), id and time in headers and body', () => {
    const req = configuredTarget(hook()).request(ev, sentAt)!;
    const expected = `sha256=${createHmac('sha256', 'hook-key').update(req.body).digest('hex')}`;
    assert.equal(req.headers['x-bosun-signature-256'], expected);
    assert.equal(signBody(req.body, 'hook-key'), expected);
    assert.equal(req.headers['x-bosun-delivery'], 'evt-1');
    assert.equal(req.headers['x-bosun-timestamp'], String(Date.parse('2026-12-02T03:00:05Z') / 1000));
    assert.equal(req.headers['x-bosun-event'], 'release.rolled-back');
    const body = JSON.parse(req.body) as Record<string, unknown>;
    assert.equal(body.sentAt, '2026-12-02T03:00:05.000Z');
    assert.equal(body.id, 'evt-1');
    assert.doesNotMatch(req.body, /hunter2|tok-inner|tok3n/);
    const unsigned = configuredTarget(hook({ secret: undefined })).request(ev, sentAt)!;
    assert.equal(unsigned.headers['x-bosun-signature-256'], undefined);
  });

  it('filters by event and project', () => {
    const t = configuredTarget(hook({ projects: new Set(['other']) }));
    assert.equal(t.accepts(ev), false);
    assert.equal(configuredTarget(hook()).accepts(ev), true);
    assert.equal(configuredTarget(hook()).accepts({ ...ev, event: 'release.succeeded' }), false);
  });

  it('Slack: text and blocks; Discord: content and one embed', () => {
    const slack = JSON.parse(configuredTarget(hook({ type: 'slack' })).request(ev, sentAt)!.body);
    assert.equal(slack.text, `❌ ${ev.summary}`);
    assert.equal(slack.blocks[0].type, 'section');
    assert.match(slack.blocks[0].text.text, /<https:\/\/bosun\.example\.com\/\|dashboard>/);
    assert.match(slack.blocks[1].elements[0].text, /\*release\.rolled-back\* · shop · release 7/);
    const discord = JSON.parse(configuredTarget(hook({ type: 'discord' })).request(ev, sentAt)!.body);
    assert.equal(discord.content, `❌ ${ev.summary}`);
    assert.equal(discord.embeds.length, 1);
    assert.equal(discord.embeds[0].title, 'release.rolled-back');
    assert.equal(discord.embeds[0].color, 0xc62828);
    assert.deepEqual(
      discord.embeds[0].fields.map((f: { name: string }) => f.name),
      ['project', 'release', 'revision', 'result', 'controller'],
    );
  });

  it('keeps the URL, its token and the secret for redaction', () => {
    const t = configuredTarget(hook());
    assert.ok(t.secrets.includes('https://hooks.test/T0/XYZ'));
    assert.ok(t.secrets.includes('/T0/XYZ'));
    assert.ok(t.secrets.includes('hook-key'));
  });
});

describe('commit statuses', () => {
  const cs = (
    provider: CommitStatusConfig['provider'],
    over: Partial<CommitStatusConfig> = {},
  ): CommitStatusConfig => ({
    provider,
    token: 'forge-tok',
    ...over,
  });

  it('tells the API and the repo from the repo URL, or takes them from the config', () => {
    assert.deepEqual(forgeRepo(cs('github'), 'https://github.com/acme/shop.git'), {
      apiUrl: 'https://api.github.com',
      repo: 'acme/shop',
    });
    assert.deepEqual(forgeRepo(cs('github'), 'https://ghe.corp/acme/shop'), {
      apiUrl: 'https://ghe.corp/api/v3',
      repo: 'acme/shop',
    });
    assert.deepEqual(forgeRepo(cs('gitlab'), 'https://gitlab.corp/group/sub/shop.git'), {
      apiUrl: 'https://gitlab.corp/api/v4',
      repo: 'group/sub/shop',
    });
    assert.deepEqual(forgeRepo(cs('gitea'), 'http://git.local:3000/acme/shop.git'), {
      apiUrl: 'http://git.local:3000/api/v1',
      repo: 'acme/shop',
    });
    assert.equal(forgeRepo(cs('gitea'), '/srv/repos/shop'), undefined);
    assert.deepEqual(forgeRepo(cs('gitea', { apiUrl: 'http://a.test/api/v1', repo: 'o/r' }), '/srv/repos/shop'), {
      apiUrl: 'http://a.test/api/v1',
      repo: 'o/r',
    });
  });

  it('speaks each forge: path, auth header and state', () => {
    const started = releaseEvent(
      release({ status: 'applying', error: undefined, repo: 'https://forge.test/acme/shop.git' }),
      ctx,
    );
    const failed = releaseEvent(release({ repo: 'https://forge.test/acme/shop.git' }), ctx);
    const sha = 'a'.repeat(40);
    const gh = statusRequest(cs('github'), started)!;
    assert.equal(gh.url, `https://forge.test/api/v3/repos/acme/shop/statuses/${sha}`);
    assert.equal(gh.headers.authorization, 'Bearer forge-tok');
    assert.deepEqual(JSON.parse(gh.body), {
      state: 'pending',
      context: 'bosun/shop',
      description: 'release 7 applying',
      target_url: 'https://bosun.example.com/',
    });
    const gl = statusRequest(cs('gitlab'), failed)!;
    assert.equal(gl.url, `https://forge.test/api/v4/projects/acme%2Fshop/statuses/${sha}`);
    assert.equal(gl.headers['private-token'], 'forge-tok');
    const glBody = JSON.parse(gl.body);
    assert.deepEqual([glBody.state, glBody.name], ['failed', 'bosun/shop']);
    assert.ok(glBody.description.length <= 140);
    assert.doesNotMatch(gl.body, /hunter2/);
    const gt = statusRequest(cs('gitea'), failed)!;
    assert.equal(gt.url, `https://forge.test/api/v1/repos/acme/shop/statuses/${sha}`);
    assert.equal(gt.headers.authorization, 'token forge-tok');
    assert.equal(JSON.parse(gt.body).state, 'failure');
    const t = commitStatusTarget(cs('github'));
    assert.equal(t.accepts(started), true);
    assert.equal(t.accepts({ ...started, event: 'drift.repaired' }), false);
    assert.ok(t.secrets.includes('forge-tok'));
  });
});

describe('notification retries', () => {
  it('doubles the delay after each failure, with the upper half random', () => {
    const r = { initialDelayMs: 4000 };
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(n, r, () => 0)),
      [2000, 4000, 8000, 16000],
    );
    assert.deepEqual(
      [1, 2, 3, 4].map((n) => backoffDelay(n, r, () => 1)),
      [4000, 8000, 16000, 32000],
    );
    const total = [1, 2, 3, 4].reduce((s, n) => s + backoffDelay(n, r, () => 1), 0);
    assert.equal(total, 60_000, 'five tries span at most a minute');
  });

  it('honours Retry-After in seconds or as a date, within bounds', () => {
    const now = Date.parse('2026-12-02T03:00:00Z');
    assert.equal(retryAfterMs('3', now), 3000);
    assert.equal(retryAfterMs('0.25', now), 250);
    assert.equal(retryAfterMs('Wed, 02 Dec 2026 03:00:10 GMT', now), 10_000);
    assert.equal(retryAfterMs('999999', now), 300_000);
    assert.equal(retryAfterMs('soon', now), undefined);
    assert.equal(retryAfterMs(undefined, now), undefined);
  });

  it('retries the network, timeouts, 408, 429 and 5xx, not other answers', () => {
    assert.deepEqual([undefined, 408, 429, 500, 503, 400, 401, 404, 410].map(retryable), [
      true,
      true,
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
