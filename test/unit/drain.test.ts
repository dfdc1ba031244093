import { strict as assert } from 'node:assert';
import { Drainer } from '../../src/coord/drain.ts';
import { MemoryKv } from '../fakes/memory-store.ts';

const EP = '/bosun/shop/endpoints/';
const DR = '/bosun/shop/draining/';
const value = (id: string, port: number) => JSON.stringify({ host: '127.0.0.1', port, container: 'c', id });

describe('Drainer: a replica leaves the proxies before it stops', () => {
  let kv: MemoryKv;
  let slept: number[];
  const sleep = async (ms: number) => {
    slept.push(ms);
  };

  beforeEach(() => {
    kv = new MemoryKv();
    slept = [];
  });

  it('marks a published replica draining, then waits for the proxies, when a peer serves', async () => {
    await kv.put(`${EP}web/1`, value('old1', 4001));
    await kv.put(`${EP}web/2`, value('old2', 4002));
    await new Drainer(kv, { waitMs: 1500, sleep }).drain('shop', { service: 'web', replica: 1, id: 'old1' });
    assert.deepEqual(
      (await kv.list(DR)).map((e) => e.key),
      [`${DR}old1`],
    );
    assert.equal(JSON.parse((await kv.get(`${DR}old1`))!.value).service, 'web');
    assert.deepEqual(slept, [1500]);
  });

  it('announces first, and waits for a successor to be published before the last replica drains', async () => {
    await kv.put(`${EP}web/1`, value('old1', 4001));
    let announced = 0;
    const announce = async () => {
      // the publisher sees the successor on its second sync
      if (++announced === 2) await kv.put(`${EP}web/1`, value('new1', 4101));
    };
    await new Drainer(kv, { waitMs: 1000, sleep, announce }).drain('shop', {
      service: 'web',
      replica: 1,
      id: 'old1',
      successor: true,
    });
    assert.ok(await kv.get(`${DR}old1`), 'the marker is written before the wait');
    assert.deepEqual(slept, [200, 1000]);
  });

  it('gives up waiting for a successor after peerWaitMs; waits for none without one', async () => {
    await kv.put(`${EP}web/1`, value('old1', 4001));
    const drainer = new Drainer(kv, { waitMs: 500, peerWaitMs: 600, sleep });
    await drainer.drain('shop', { service: 'web', replica: 1, id: 'old1', successor: true });
    assert.deepEqual(slept, [200, 200, 200, 500]);
    // without a successor (a scale-down, a stop-first replacement) nothing is worth waiting for
    slept = [];
    await drainer.drain('shop', { service: 'web', replica: 1, id: 'old1' });
    assert.deepEqual(slept, [500]);
  });

  it('still waits for the proxies when its successor already took the replica key', async () => {
    await kv.put(`${EP}web/1`, value('new1', 4101));
    await new Drainer(kv, { waitMs: 700, sleep }).drain('shop', { service: 'web', replica: 1, id: 'old1' });
    assert.deepEqual(slept, [700]);
  });

  it('stops a replica of a service nobody publishes at once: no proxy routes to it', async () => {
    await new Drainer(kv, { sleep }).drain('shop', { service: 'web', replica: 1, id: 'x' });
    assert.deepEqual(await kv.list(DR), []);
    assert.deepEqual(slept, []);
  });

  it('prunes the markers of workloads no longer published', async () => {
    await kv.put(`${EP}web/1`, value('kept', 4001));
    await kv.put(`${DR}kept`, '{}');
    await kv.put(`${DR}gone`, '{}');
    await new Drainer(kv).prune('shop');
    assert.deepEqual(
      (await kv.list(DR)).map((e) => e.key),
      [`${DR}kept`],
    );
  });
});
