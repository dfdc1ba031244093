/** How the etcd client moves between hosts when one is lost (pure: the policies, with fake calls). */
import assert from 'node:assert/strict';
import { hostPolicies, neverSent, tryEachHostOnce } from '../../src/store/etcd/policies.ts';

const UNSENT = new Error(
  '4 DEADLINE_EXCEEDED: Deadline exceeded after 3.000s,name resolution: 0.066s,Waiting for LB pick',
);
const SENT = new Error('4 DEADLINE_EXCEEDED: Deadline exceeded after 3.000s,remote_addr=10.0.0.1:2379');
const REFUSED = new Error('14 UNAVAILABLE: No connection established. Last error: Error: connect ECONNREFUSED');

describe('etcd client: a lost host', () => {
  it('knows a call that timed out before it was sent from one that may have reached etcd', () => {
    assert.equal(neverSent(UNSENT), true);
    assert.equal(neverSent(SENT), false);
    assert.equal(neverSent(REFUSED), false);
  });

  it('sends a call that timed out unsent to the next host, never one that was sent', async () => {
    const global = tryEachHostOnce(3, () => false);
    let calls = 0;
    const answer = await global.execute(() => {
      calls++;
      if (calls === 1) throw UNSENT;
      return 'ok';
    });
    assert.deepEqual([answer, calls], ['ok', 2]);
    calls = 0;
    await assert.rejects(
      global.execute(() => {
        calls++;
        throw SENT;
      }),
      /remote_addr/,
    );
    assert.equal(calls, 1);
  });

  it('leaves out a host whose connection failed while another may answer, and tries it when none is left', async () => {
    const make = hostPolicies();
    const [a, b] = [make(), make()];
    let aCalls = 0;
    const failA = () => {
      aCalls++;
      throw REFUSED;
    };
    await assert.rejects(a.execute(failA), /ECONNREFUSED/);
    await assert.rejects(a.execute(failA), /ECONNREFUSED/);
    assert.equal(aCalls, 1, 'the second call is refused without reaching the lost host');
    await assert.rejects(b.execute(() => Promise.reject(REFUSED)));
    // both left out: calls go through again, so a restarted etcd is found at once
    assert.equal(await a.execute(() => 'back'), 'back');
  });
});
