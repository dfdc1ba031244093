import { strict as assert } from 'node:assert';
import { createHmac } from 'node:crypto';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { NotifyConfig } from '../../src/server/notify/config.ts';
import type { NotifyEvent } from '../../src/server/notify/events.ts';
import { Notifier } from '../../src/server/notify/notifier.ts';
import { startReceiver, type Receiver } from '../helpers/receiver.ts';

/** Pure plumbing against a real local HTTP receiver: queueing, retries, drops, never waiting. */
describe('notification delivery (real local HTTP receiver)', function () {
  this.timeout(20_000);
  let rx: Receiver;
  let lines: Record<string, unknown>[];
  let n: Notifier | undefined;

  beforeEach(async () => {
    rx = await startReceiver();
    lines = [];
  });
  afterEach(async () => {
    await n?.close(0);
    n = undefined;
    await rx.close();
  });

  function notifier(over: Partial<NotifyConfig> = {}): Notifier {
    const log = pino({ level: 'debug' }, { write: (l: string) => void lines.push(JSON.parse(l)) });
    const config: NotifyConfig = {
      file: 'notify.yaml',
      retry: { attempts: 3, initialDelayMs: 100, timeoutMs: 1000 },
      queueSize: 10,
      targets: [
        {
          name: 'ops',
          type: 'webhook',
          url: `${rx.url}/hook/s3cr3t-path-token`,
          secret: 'hook-key',
          events: new Set(['stack.pinned', 'release.succeeded']),
        },
      ],
      ...over,
    };
    n = new Notifier(config, { log, instance: 'test:1' });
    return n;
  }

  const event = (i: number): NotifyEvent => ({
    event: 'stack.pinned',
    id: `id-${i}`,
    project: 'p',
    at: new Date().toISOString(),
    summary: `pinned ${i}`,
    result: 'pinned',
    controller: { host: 'h', instance: 'h:1' },
  });

  async function until(what: string, probe: () => boolean, ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!probe()) {
      if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const count = async (registry: Registry, result: string) => {
    const m = await registry.getSingleMetric('bosun_notifications_total')!.get();
    return m.values.find((v) => v.labels.result === result && v.labels.target === 'ops')?.value ?? 0;
  };

  it('retries a 500 with backoff, signs every attempt, same id; counts it', async () => {
    const registry = new Registry();
    const notify = notifier();
    notify.attach(registry);
    rx.script = [{ status: 500 }, { status: 503, headers: { 'retry-after': '0.3' } }];
    notify.publish(event(1));
    await until('three attempts', () => rx.received.length === 3);
    const [a, b, c] = rx.received;
    assert.ok(b!.at - a!.at >= 50, `backoff before the second try (${b!.at - a!.at} ms)`);
    assert.ok(c!.at - b!.at >= 280, `Retry-After before the third (${c!.at - b!.at} ms)`);
    for (const r of rx.received) {
      assert.equal(r.headers['x-bosun-delivery'], 'id-1');
      const sig = `sha256=${createHmac('sha256', 'hook-key').update(r.body).digest('hex')}`;
      assert.equal(r.headers['x-bosun-signature-256'], sig);
    }
    await until('the count', () => lines.some((l) => l.msg === 'notification delivered'));
    assert.equal(await count(registry, 'retried'), 2);
    assert.equal(await count(registry, 'delivered'), 1);
    assert.doesNotMatch(JSON.stringify(lines), /s3cr3t-path-token|hook-key/);
  });

  it('gives up after the last attempt, and does not retry a 4xx', async () => {
    const registry = new Registry();
    const notify = notifier();
    notify.attach(registry);
    rx.otherwise = { status: 502 };
    notify.publish(event(1));
    await until('given up', () => lines.some((l) => l.msg === 'notification given up'));
    assert.equal(rx.received.length, 3);
    rx.otherwise = { status: 404 };
    notify.publish(event(2));
    await until('refused', () => lines.some((l) => l.msg === 'notification refused by the receiver'));
    assert.equal(rx.received.length, 4);
    assert.equal(await count(registry, 'failed'), 1);
    assert.equal(await count(registry, 'rejected'), 1);
  });

  it('a hanging receiver: publish returns at once, the queue drops the oldest when full, requests time out', async () => {
    const registry = new Registry();
    // the timeout ends the hung request; the three after it must each be answered within it, which
    // a loaded machine (other suites on the same 2 cores) did not always manage in 300 ms
    const notify = notifier({ queueSize: 3, retry: { attempts: 1, initialDelayMs: 10, timeoutMs: 1500 } });
    notify.attach(registry);
    rx.otherwise = { status: 200, hang: true };
    const started = performance.now();
    const returned = Array.from({ length: 10 }, (_, i) => notify.publish(event(i)) as unknown);
    // waiting for the hung receiver would take its whole timeout (1500 ms) at least; a bound of a
    // few ms failed on a loaded machine (a GC pause), so the bound is the timeout
    assert.ok(performance.now() - started < 1500, 'publishing never waits for a receiver');
    assert.deepEqual(returned, Array(10).fill(undefined), 'publish returns nothing to wait for');
    await until('the first request', () => rx.received.length === 1);
    // one in flight, three queued: six of the ten dropped, oldest first
    assert.equal(await count(registry, 'dropped'), 6);
    rx.otherwise = { status: 200 };
    await until('the queue drained', () => rx.received.length === 4);
    assert.deepEqual(
      rx.received.map((r) => r.headers['x-bosun-delivery']),
      ['id-0', 'id-7', 'id-8', 'id-9'],
    );
    const delivered = () => lines.filter((l) => l.msg === 'notification delivered').length;
    await until('counted', () => delivered() === 3).catch(async (err: Error) => {
      const failed = lines.filter((l) => l.msg === 'notification given up').map((l) => l.cause);
      throw new Error(`${err.message}: ${delivered()} delivered, given up: ${JSON.stringify(failed)}`);
    });
    assert.equal(await count(registry, 'failed'), 1, 'the hung request timed out');
    assert.ok(lines.some((l) => String(l.cause).includes('no answer within 1500 ms')));
  });

  it('an unreachable receiver is a logged failure without its URL', async () => {
    const notify = notifier({ retry: { attempts: 1, initialDelayMs: 10, timeoutMs: 1000 } });
    await rx.close();
    notify.publish(event(1));
    await until('given up', () => lines.some((l) => l.msg === 'notification given up'));
    const line = lines.find((l) => l.msg === 'notification given up')!;
    assert.equal(line.cause, 'connection refused');
    assert.equal(line.target, 'ops');
    rx = await startReceiver();
  });

  it('pin and leadership changes: only transitions, the first look only learns the state', async () => {
    const notify = notifier({
      targets: [
        {
          name: 'all',
          type: 'webhook',
          url: `${rx.url}/all`,
          events: new Set(['stack.pinned', 'stack.resumed', 'leader.changed', 'drift.repaired']),
        },
      ],
    });
    const o = (result: 'pinned' | 'noop' | 'healed', repaired = 0) => ({ result, repaired, release: 3 });
    notify.outcome('p', 'poll', o('pinned'));
    notify.outcome('p', 'poll', o('pinned'));
    notify.outcome('p', 'webhook', o('noop'));
    notify.outcome('p', 'drift', o('noop'));
    notify.outcome('p', 'poll', o('pinned'));
    notify.outcome('p', 'drift', o('healed', 2));
    notify.leadership('p', false, 'other:1');
    notify.leadership('p', true, 'test:1');
    notify.leadership('p', true, 'test:1');
    notify.leadership('p', false, 'other:1');
    await until('five events', () => rx.received.length === 5);
    await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(
      rx.received.map((r) => {
        const b = JSON.parse(r.body) as NotifyEvent;
        return `${b.event}:${b.result}`;
      }),
      [
        'stack.resumed:resumed',
        'stack.pinned:pinned',
        'drift.repaired:healed',
        'leader.changed:elected',
        'leader.changed:stepped-down',
      ],
    );
  });
});
