import { strict as assert } from 'node:assert';
import type { Release } from '../../src/model/release.ts';
import { Backoff, backoffDelay, DRIFT_BACKOFF, KeyedBackoff } from '../../src/server/backoff.ts';
import { parseEvent } from '../../src/backends/docker/events.ts';
import { checkCron, loadSecret, parseListen } from '../../src/server/options.ts';
import { OwnActivity } from '../../src/server/own-activity.ts';
import { failedBefore } from '../../src/server/passes.ts';

describe('server: backoff', () => {
  it('doubles from the base and stops at the maximum', () => {
    const delays = Array.from({ length: 12 }, (_, i) => backoffDelay(i, 1_000, 300_000));
    assert.deepEqual(
      delays,
      [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 64_000, 128_000, 256_000, 300_000, 300_000, 300_000],
    );
    assert.equal(backoffDelay(5_000, 1_000, 300_000), 300_000, 'no overflow to Infinity');
  });

  it('starts over after a quiet period, and not before', () => {
    const b = new Backoff({ baseMs: 1_000, maxMs: 8_000, resetAfterMs: 60_000 });
    assert.deepEqual(
      [b.next(0), b.next(1_000), b.next(3_000), b.next(7_000), b.next(15_000)],
      [1_000, 2_000, 4_000, 8_000, 8_000],
    );
    assert.equal(b.next(15_000 + 59_999), 8_000, 'still crash-looping');
    assert.equal(b.next(15_000 + 59_999 + 60_000), 1_000, 'stable for a minute: start over');
  });

  it('keeps one sequence per service, so a crash loop slows only its own heals', () => {
    const k = new KeyedBackoff(DRIFT_BACKOFF);
    assert.equal(k.next('web', 0), 1_000);
    assert.equal(k.next('web', 100), 2_000);
    assert.equal(k.next('web', 200), 4_000);
    assert.equal(k.next('db', 300), 1_000);
  });
});

describe('server: own activity and engine events', () => {
  it('counts as its own only events about containers bosun removed, whenever they arrive', () => {
    const a = new OwnActivity({ rememberIdsMs: 1_000 });
    a.removing('old', 1_600);
    assert.equal(a.isOwn({ id: 'x', timeMs: 1_650 }), false, 'another container, even right after: drift');
    assert.equal(a.isOwn({ id: 'old', timeMs: 1_700 }), true, 'the container bosun removed');
    assert.equal(a.isOwn({ id: 'old', timeMs: 9_000 }), true, 'a late event for it');
    a.removing('newer', 3_000);
    assert.equal(a.isOwn({ id: 'old', timeMs: 9_000 }), false, 'forgotten after rememberIdsMs');
  });

  it('parses an NDJSON event line of the engine', () => {
    const line = JSON.stringify({
      status: 'die',
      id: 'abc',
      Type: 'container',
      Action: 'die',
      Actor: { ID: 'abc', Attributes: { 'bosun.service': 'web', name: 'shop-web-1', exitCode: '137' } },
      time: 1700000000,
      timeNano: 1700000000123456800,
    });
    const ev = parseEvent(line);
    assert.equal(ev?.id, 'abc');
    assert.equal(ev?.action, 'die');
    assert.equal(ev?.service, 'web');
    assert.equal(ev?.name, 'shop-web-1');
    assert.ok(Math.abs(ev!.timeMs - 1700000000123.4568) < 1);
    assert.equal(parseEvent(''), undefined);
    assert.equal(parseEvent('{not json'), undefined);
    assert.equal(parseEvent(JSON.stringify({ Type: 'network', Action: 'connect', Actor: { ID: 'n' } })), undefined);
  });
});

describe('server: start-up options', () => {
  it('parses listen addresses, port 0 included', () => {
    assert.deepEqual(parseListen('127.0.0.1:8080'), { host: '127.0.0.1', port: 8080 });
    assert.deepEqual(parseListen('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseListen('[::1]:9000'), { host: '::1', port: 9000 });
    assert.deepEqual(parseListen(':9000'), { host: '0.0.0.0', port: 9000 });
    assert.throws(() => parseListen('8080'), /--listen "8080" is not host:port/);
    assert.throws(() => parseListen('h:99999'), /not host:port/);
  });

  it('refuses an invalid cron expression in one line, accepts seconds', () => {
    assert.equal(checkCron('*/2 * * * * *'), '*/2 * * * * *');
    assert.throws(
      () => checkCron('61 * * * *'),
      (e: Error & { code?: string }) =>
        e.code === 'E_CONFIG' &&
        /^--poll "61 \* \* \* \*" is not a valid cron expression \(minute: .*\)$/.test(e.message),
    );
  });

  it('reads the secret from the environment, and no secret means none', async () => {
    assert.equal(await loadSecret(undefined, 's3'), 's3');
    assert.equal(await loadSecret(undefined, ''), undefined);
    assert.equal(await loadSecret(undefined, undefined), undefined);
    await assert.rejects(
      loadSecret('/nonexistent/secret', 'env'),
      /cannot read --webhook-secret-file \/nonexistent\/secret: ENOENT/,
    );
  });
});

describe('server: a revision that failed is not re-applied by polling', () => {
  const release = (over: Partial<Release>): Release =>
    ({ number: 4, project: 'p', revision: 'r1', status: 'succeeded', ...over }) as Release;
  it('skips a rolled-back or failed revision, retries transient failures and other revisions', () => {
    assert.match(failedBefore(release({ status: 'rolled-back' }), 'r1') ?? '', /already rolled-back as release 4/);
    assert.match(
      failedBefore(release({ status: 'failed', error: { code: 'E_CONTAINER_FAILED', message: '' } }), 'r1') ?? '',
      /already failed/,
    );
    assert.equal(
      failedBefore(release({ status: 'failed', error: { code: 'E_DOCKER_UNREACHABLE', message: '' } }), 'r1'),
      undefined,
    );
    assert.equal(failedBefore(release({ status: 'rolled-back' }), 'r2'), undefined);
    assert.equal(failedBefore(release({ status: 'succeeded' }), 'r1'), undefined);
    assert.equal(failedBefore(undefined, 'r1'), undefined);
  });
});
