import { strict as assert } from 'node:assert';
import type { IncomingHttpHeaders } from 'node:http';
import { deliveryId, DeliveryLog } from '../../src/server/webhook/dedupe.ts';
import { classify, pushConcerns } from '../../src/server/webhook/events.ts';
import { hmacHex, verifySignature, type Provider } from '../../src/server/webhook/verify.ts';

const SECRET = "It's a Secret to Everybody";
const BODY = Buffer.from('Hello, World!');

/** Each provider's header, and how a correct value for BODY is written there. */
const SIGNED: Record<Provider, { header: string; good: string }> = {
  github: { header: 'x-hub-signature-256', good: `sha256=${hmacHex(BODY, SECRET)}` },
  bitbucket: { header: 'x-hub-signature', good: `sha256=${hmacHex(BODY, SECRET)}` },
  generic: { header: 'x-signature', good: `sha256=${hmacHex(BODY, SECRET)}` },
  gitea: { header: 'x-gitea-signature', good: hmacHex(BODY, SECRET) },
  gitlab: { header: 'x-gitlab-token', good: SECRET },
};

describe('server: webhook signatures', () => {
  it("matches GitHub's published example (X-Hub-Signature-256)", () => {
    // docs.github.com "Validating webhook deliveries": this secret and payload give this signature
    const want = '757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17';
    assert.equal(hmacHex(BODY, SECRET), want);
    assert.deepEqual(verifySignature('github', { 'x-hub-signature-256': `sha256=${want}` }, BODY, SECRET), {
      ok: true,
    });
  });

  for (const [provider, { header, good }] of Object.entries(SIGNED) as [Provider, { header: string; good: string }][]) {
    describe(provider, () => {
      const check = (headers: IncomingHttpHeaders, body = BODY) => verifySignature(provider, headers, body, SECRET);
      it('accepts the right signature', () => assert.deepEqual(check({ [header]: good }), { ok: true }));
      it('refuses a missing or empty one', () => {
        assert.deepEqual(check({}), { ok: false, reason: 'missing' });
        assert.deepEqual(check({ [header]: '' }), { ok: false, reason: 'missing' });
      });
      it('refuses a wrong secret and a changed body', () => {
        const other = verifySignature(provider, { [header]: good }, BODY, 'another secret');
        assert.deepEqual(other, { ok: false, reason: 'mismatch' });
        assert.deepEqual(
          check({ [header]: good }, Buffer.from('Hello, World?')),
          provider === 'gitlab' ? { ok: true } : { ok: false, reason: 'mismatch' },
        );
      });
      it('refuses a truncated one', () =>
        assert.deepEqual(check({ [header]: good.slice(0, -2) }), { ok: false, reason: 'mismatch' }));
    });
  }

  it("takes Forgejo's header as well as Gitea's", () => {
    assert.deepEqual(verifySignature('gitea', { 'x-forgejo-signature': hmacHex(BODY, SECRET) }, BODY, SECRET), {
      ok: true,
    });
  });

  it('refuses a signature under the wrong scheme or in the wrong header', () => {
    assert.deepEqual(
      verifySignature('github', { 'x-hub-signature-256': `sha1=${hmacHex(BODY, SECRET)}` }, BODY, SECRET),
      { ok: false, reason: 'mismatch' },
    );
    assert.deepEqual(verifySignature('github', { 'x-hub-signature-256': hmacHex(BODY, SECRET) }, BODY, SECRET), {
      ok: false,
      reason: 'mismatch',
    });
    assert.deepEqual(verifySignature('github', { 'x-hub-signature': SIGNED.github.good }, BODY, SECRET), {
      ok: false,
      reason: 'missing',
    });
    assert.deepEqual(verifySignature('generic', { 'x-signature': `sha256=${'z'.repeat(64)}` }, BODY, SECRET), {
      ok: false,
      reason: 'mismatch',
    });
  });
});

describe('server: webhook events and the branch filter', () => {
  it('tells pings and test deliveries from pushes', () => {
    assert.equal(classify('github', { 'x-github-event': 'ping' }, { zen: 'x' }).kind, 'ping');
    assert.equal(
      classify('gitea', { 'x-gitea-event': 'push' }, { ref: 'refs/heads/main', before: 'a1', after: 'a1' }).kind,
      'ping',
    );
    assert.equal(
      classify(
        'gitlab',
        { 'x-gitlab-event': 'Push Hook' },
        { ref: 'refs/heads/master', after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7' },
      ).kind,
      'ping',
    );
    assert.equal(classify('bitbucket', { 'x-event-key': 'diagnostics:ping' }, {}).kind, 'ping');
    assert.equal(classify('generic', { 'x-event': 'ping' }, {}).kind, 'ping');
  });

  it('reads the pushed refs of each provider', () => {
    const push = (p: Provider, h: IncomingHttpHeaders, payload: unknown) => classify(p, h, payload);
    assert.deepEqual(push('github', { 'x-github-event': 'push' }, { ref: 'refs/heads/main', after: 'b2' }), {
      kind: 'push',
      event: 'push',
      refs: ['refs/heads/main'],
      after: 'b2',
    });
    assert.deepEqual(push('gitlab', { 'x-gitlab-event': 'Push Hook' }, { ref: 'refs/heads/dev' }), {
      kind: 'push',
      event: 'Push Hook',
      refs: ['refs/heads/dev'],
      after: undefined,
    });
    assert.deepEqual(
      push('gitea', { 'x-forgejo-event': 'push' }, { ref: 'refs/heads/main', before: 'a', after: 'b' }).kind,
      'push',
    );
    const cloud = push(
      'bitbucket',
      { 'x-event-key': 'repo:push' },
      {
        push: {
          changes: [{ new: { type: 'branch', name: 'main' } }, { new: { type: 'tag', name: 'v1' } }, { new: null }],
        },
      },
    );
    assert.deepEqual(cloud, {
      kind: 'push',
      event: 'repo:push',
      refs: ['refs/heads/main', 'refs/tags/v1'],
      after: undefined,
    });
    const dc = push(
      'bitbucket',
      { 'x-event-key': 'repo:refs_changed' },
      { changes: [{ ref: { id: 'refs/heads/main' } }] },
    );
    assert.deepEqual(dc.kind === 'push' && dc.refs, ['refs/heads/main']);
    assert.deepEqual(push('generic', {}, { ref: 'main' }), {
      kind: 'push',
      event: 'push',
      refs: ['refs/heads/main'],
      after: undefined,
    });
    assert.deepEqual(push('generic', {}, {}), { kind: 'push', event: 'push', refs: [], after: undefined });
  });

  it('ignores events that are not pushes', () => {
    assert.deepEqual(classify('github', { 'x-github-event': 'issues' }, {}), { kind: 'other', event: 'issues' });
    assert.deepEqual(classify('github', {}, {}), { kind: 'other', event: '(none)' });
    assert.equal(classify('gitlab', { 'x-gitlab-event': 'Merge Request Hook' }, {}).kind, 'other');
  });

  it('keeps pushes to the followed branch or tag and drops the others', () => {
    assert.equal(pushConcerns(['refs/heads/main'], 'main'), true);
    assert.equal(pushConcerns(['refs/heads/feature'], 'main'), false);
    assert.equal(pushConcerns(['refs/heads/mainline'], 'main'), false);
    assert.equal(pushConcerns(['refs/tags/v2'], 'v2'), true);
    assert.equal(pushConcerns(['refs/heads/main'], 'refs/heads/main'), true);
    assert.equal(pushConcerns(['refs/heads/dev', 'refs/heads/main'], 'main'), true);
    assert.equal(pushConcerns(['refs/heads/anything'], undefined), true, 'following HEAD: any push may move it');
    assert.equal(pushConcerns([], 'main'), true, 'a payload without a ref always counts');
  });
});

describe('server: delivery dedupe', () => {
  it('reads the delivery id of each provider', () => {
    assert.equal(deliveryId({ 'x-github-delivery': 'g-1' }), 'g-1');
    assert.equal(deliveryId({ 'x-gitea-delivery': 't-1' }), 't-1');
    assert.equal(deliveryId({ 'x-gitlab-event-uuid': 'l-1' }), 'l-1');
    assert.equal(deliveryId({ 'x-request-uuid': 'b-1' }), 'b-1');
    assert.equal(deliveryId({ 'x-delivery-id': 'x-1' }), 'x-1');
    assert.equal(deliveryId({}), undefined);
  });

  it('reports a repeated id once seen, and forgets the least recently seen beyond its capacity', () => {
    const log = new DeliveryLog(3);
    assert.equal(log.seen('a'), false);
    assert.equal(log.seen('a'), true);
    log.seen('b');
    log.seen('c');
    assert.equal(log.seen('a'), true, 'seeing a again makes it the most recent');
    log.seen('d'); // evicts b, the least recently seen
    assert.equal(log.size, 3);
    assert.equal(log.seen('b'), false);
    assert.equal(log.seen('a'), true);
  });
});
