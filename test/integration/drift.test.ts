import { strict as assert } from 'node:assert';
import { ensureTestImages } from '../helpers/docker.ts';
import { assertOnlyDriftRepaired, type DriftFixture, driftRound, startDriftFixture } from '../helpers/drift-rounds.ts';
import { type GitServer, startGitServer } from '../helpers/git-server.ts';

/** A short rollout keeps npm test quick; `npm run chaos` runs 50 rounds of a 10 s one. */
const ROLLOUT_S = 3;

describe('drift healing is level-triggered: events are hints, the observed state is the truth', function () {
  this.timeout(300_000);
  let server: GitServer;
  let f: DriftFixture;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    f = await startDriftFixture({ server, rolloutSeconds: ROLLOUT_S }, 'drift');
  });
  after(async () => {
    await f?.close();
    await server?.close();
  });

  it('a container removed during another service’s start-first rollout, or just after it, is repaired within 5 s of the pass', async () => {
    for (let round = 1; round <= 3; round++) {
      const r = await driftRound(f, round, ROLLOUT_S, false);
      console.log(
        `      round ${round}: hit ${r.hitAtMs} ms after the push, repaired ${r.repairedAfterMs} ms after the pass`,
      );
      assert.ok(r.repairedAfterMs <= 5_000, `round ${round}: repaired ${r.repairedAfterMs} ms after the pass`);
    }
  });

  it('a container that crashes during the rollout is replaced after it', async () => {
    const r = await driftRound(f, 4, ROLLOUT_S, true);
    assert.ok(r.repairedAfterMs <= 5_000, `repaired ${r.repairedAfterMs} ms after the pass`);
  });

  it('containers bosun replaced or retired itself never triggered a repair; the drift time is reported', async () => {
    await assertOnlyDriftRepaired(f);
  });
});
