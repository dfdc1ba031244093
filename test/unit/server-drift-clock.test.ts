import { strict as assert } from 'node:assert';
import { DriftClock } from '../../src/server/drift-clock.ts';

describe('server: drift clock', () => {
  it('times a drift from its first event to the heal that repaired it', () => {
    const c = new DriftClock();
    c.seen(1_000);
    c.seen(1_200);
    assert.equal(c.looked(1_500, 2, 2_300), 1_300);
    assert.deepEqual(c.last, {
      seenAt: new Date(1_000).toISOString(),
      repairedAt: new Date(2_300).toISOString(),
      ms: 1_300,
    });
    assert.equal(c.looked(3_000, 1, 3_500), undefined, 'nothing seen since: not a drift repair');
  });

  it('leaves drift seen after a pass looked for the next pass, and forgets drift nothing had to repair', () => {
    const c = new DriftClock();
    c.seen(2_000);
    assert.equal(c.looked(1_500, 1, 2_500), undefined, 'seen after this pass observed');
    assert.equal(c.looked(2_600, 0, 2_900), undefined, 'the next pass found nothing to repair');
    assert.equal(c.looked(3_000, 1, 3_100), undefined, 'and it is forgotten');
    assert.equal(c.last, null);
  });
});
