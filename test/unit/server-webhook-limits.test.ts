import { strict as assert } from 'node:assert';
import { randomUUID } from 'node:crypto';
import { DeliveryLog, deliveryKey } from '../../src/server/webhook/dedupe.ts';
import { parseLimit, parseProviders } from '../../src/server/options.ts';
import { sourceOf, TokenBuckets } from '../../src/server/webhook/rate-limit.ts';
import { normalizeRepo, repoClaim, repoMatches } from '../../src/server/webhook/repository.ts';
import { PROVIDERS } from '../../src/server/webhook/verify.ts';

describe('server: webhook rate limit (token buckets, injected clock)', () => {
  it('lets a burst through, then refuses with the wait until the next token', () => {
    const b = new TokenBuckets({ burst: 3, perSecond: 0.5 });
    assert.deepEqual(
      [0, 0, 0].map(() => b.take('a', 1_000).ok),
      [true, true, true],
    );
    assert.deepEqual(b.take('a', 1_000), { ok: false, retryAfterMs: 2_000 });
    assert.deepEqual(b.take('a', 2_000), { ok: false, retryAfterMs: 1_000 });
    assert.deepEqual(b.take('a', 3_000), { ok: true });
    assert.equal(b.take('b', 3_000).ok, true, 'another source has its own bucket');
  });

  it('refills no further than the burst, and a clock going backwards adds nothing', () => {
    const b = new TokenBuckets({ burst: 2, perSecond: 1 });
    b.take('a', 0);
    b.take('a', 0);
    assert.equal(b.take('a', -10_000).ok, false);
    assert.deepEqual(
      [1, 2, 3].map(() => b.take('a', 1_000_000).ok),
      [true, true, false],
    );
  });

  it('keeps at most maxSources buckets', () => {
    const b = new TokenBuckets({ burst: 1, perSecond: 1 }, 100);
    for (let i = 0; i < 1_000; i++) b.take(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.equal(b.size, 100);
  });

  it('counts an IPv4 client as itself, and an IPv6 one by its /64', () => {
    assert.equal(sourceOf('192.0.2.1'), '192.0.2.1');
    assert.equal(sourceOf('::ffff:192.0.2.1'), '192.0.2.1');
    assert.equal(sourceOf('2001:db8::1'), '2001:db8:0:0::/64');
    assert.equal(sourceOf('2001:DB8:0:0:ffff:1:2:3'), '2001:db8:0:0::/64');
    assert.equal(sourceOf('2001:db8:0:1::1'), '2001:db8:0:1::/64');
    assert.equal(sourceOf('::1'), '0:0:0:0::/64');
    assert.equal(sourceOf('fe80::1%eth0'), 'fe80:0:0:0::/64');
    assert.equal(sourceOf(undefined), 'unknown');
  });
});

describe('server: webhook dedupe keyed on the signed body', () => {
  it('a replay is a duplicate whatever its delivery id; the window forgets', () => {
    const log = new DeliveryLog(10, 1_000);
    const key = deliveryKey(Buffer.from('{"after":"b"}'));
    assert.equal(key, deliveryKey(Buffer.from('{"after":"b"}')));
    assert.notEqual(key, deliveryKey(Buffer.from('{"after":"c"}')));
    assert.equal(log.seen(key, 0), false);
    assert.equal(log.seen(key, 999), true);
    assert.equal(log.seen(key, 2_500), false, 'seen 1.5 s ago, outside the window');
  });

  it('stays bounded', () => {
    const log = new DeliveryLog(3);
    for (let i = 0; i < 10; i++) log.seen(randomUUID(), i);
    assert.equal(log.size, 3);
  });
});

describe('server: the payload repository must be the one followed', () => {
  it('normalizes the https, ssh and scp-like forms of one repo to host/path', () => {
    for (const url of [
      'https://GitHub.com/Acme/Shop.git',
      'https://user:token@github.com:443/acme/shop/',
      'ssh://git@github.com:22/acme/shop.git',
      'git@github.com:acme/shop.git',
    ])
      assert.deepEqual(normalizeRepo(url), { host: 'github.com', path: 'acme/shop' }, url);
    assert.deepEqual(normalizeRepo('/srv/git/shop.git'), { path: 'srv/git/shop' });
  });

  const cases: [string, string, { urls?: string[]; names?: string[] }, boolean][] = [
    ['same repo over ssh', 'https://github.com/acme/shop.git', { urls: ['git@github.com:acme/shop.git'] }, true],
    ['another repo, same host', 'https://github.com/acme/shop.git', { urls: ['https://github.com/evil/shop'] }, false],
    [
      'same host decides even when the name would match',
      'https://gitlab.example/group/acme/shop.git',
      { urls: ['https://gitlab.example/acme/shop.git'], names: ['acme/shop'] },
      false,
    ],
    ['by name through another host name', 'http://127.0.0.1:3000/acme/shop.git', { names: ['acme/shop'] }, true],
    ['by name under a sub-path', 'https://host/gitea/acme/shop', { names: ['Acme/Shop'] }, true],
    ['a name that only ends like it', 'https://host/acme/myshop', { names: ['shop'] }, false],
    ['local repo by name', '/srv/git/acme/shop.git', { names: ['acme/shop'] }, true],
    ['foreign name', 'https://github.com/acme/shop', { names: ['acme/other'] }, false],
  ];
  for (const [what, configured, claim, want] of cases)
    it(`${what}: ${want ? 'matches' : 'does not match'}`, () =>
      assert.equal(repoMatches(configured, { urls: claim.urls ?? [], names: claim.names ?? [] }), want));

  it("reads each forge's repository fields", () => {
    const gh = {
      repository: { full_name: 'a/b', clone_url: 'https://github.com/a/b.git', ssh_url: 'git@github.com:a/b.git' },
    };
    assert.deepEqual(repoClaim('github', gh), {
      urls: ['https://github.com/a/b.git', 'git@github.com:a/b.git'],
      names: ['a/b'],
    });
    assert.deepEqual(
      repoClaim('gitlab', { project: { path_with_namespace: 'g/s/p', git_http_url: 'https://gl/g/s/p.git' } }),
      {
        urls: ['https://gl/g/s/p.git'],
        names: ['g/s/p'],
      },
    );
    const dc = {
      repository: {
        slug: 'shop',
        project: { key: 'OPS' },
        links: { clone: [{ href: 'ssh://git@bb:7999/ops/shop.git' }] },
      },
    };
    assert.deepEqual(repoClaim('bitbucket', dc), { urls: ['ssh://git@bb:7999/ops/shop.git'], names: ['OPS/shop'] });
    assert.deepEqual(repoClaim('generic', { ref: 'main' }), { urls: [], names: [] });
    assert.deepEqual(repoClaim('generic', { repository: 'https://h/a/b' }), {
      urls: ['https://h/a/b'],
      names: ['https://h/a/b'],
    });
  });
});

describe('server: webhook options', () => {
  it('every provider answers unless --webhook-providers lists some', () => {
    assert.deepEqual([...parseProviders(undefined)], [...PROVIDERS]);
    assert.deepEqual([...parseProviders('GitHub, gitea')], ['github', 'gitea']);
    assert.throws(
      () => parseProviders('github,svn'),
      /--webhook-providers "github,svn": unknown svn; list some of github/,
    );
    assert.throws(() => parseProviders(' , '), /list some of/);
  });

  it('limits are positive integers', () => {
    assert.equal(parseLimit('--webhook-rate', undefined, 60), 60);
    assert.equal(parseLimit('--webhook-rate', '5', 60), 5);
    assert.throws(() => parseLimit('--webhook-rate', '0', 60), /--webhook-rate must be a positive integer, not "0"/);
  });
});
