import { strict as assert } from 'node:assert';
import { docker, ensureTestImages, projectContainers } from '../helpers/docker.ts';
import { assertOnlyDriftRepaired, type DriftFixture, driftRound, startDriftFixture } from '../helpers/drift-rounds.ts';
import { restartEngine } from '../helpers/engine.ts';
import { type GitServer, startGitServer } from '../helpers/git-server.ts';
import { waitFor } from '../helpers/serve.ts';

const ROUNDS = Number(process.env.CHAOS_ROUNDS ?? 5);
/** As long as a real image's deaf PID 1 keeps a start-first rollout open: the default grace period. */
const ROLLOUT_S = 10;

describe('chaos: drift during rollouts, and across an engine restart', function () {
  this.timeout(0);
  let server: GitServer;
  let f: DriftFixture;

  before(async () => {
    await ensureTestImages();
    server = await startGitServer();
    f = await startDriftFixture({ server, rolloutSeconds: ROLLOUT_S }, 'driftchaos');
  });
  after(async () => {
    await f?.close();
    await server?.close();
  });

  it(`${ROUNDS} rounds: a removal at a random moment of a 10 s rollout, or 1 s after, is repaired within 5 s of the pass`, async () => {
    const times: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await driftRound(f, round, ROLLOUT_S, round % 5 === 0);
      times.push(r.repairedAfterMs);
      assert.ok(r.repairedAfterMs <= 5_000, `round ${round} (hit at ${r.hitAtMs} ms): ${r.repairedAfterMs} ms`);
    }
    times.sort((a, b) => a - b);
    console.log(`      repaired after the pass: median ${times[times.length >> 1]} ms, max ${times.at(-1)} ms`);
    await assertOnlyDriftRepaired(f);
  });

  it('after dockerd restarts, a container removed meanwhile is repaired (events were lost: a full look)', async () => {
    await restartEngine();
    const b = (await projectContainers(f.project)).find((c) => c.Labels['bosun.service'] === 'b');
    if (b) await docker.getContainer(b.Id).remove({ force: true });
    await waitFor(
      'b running again after the engine restart',
      async () => {
        const list = await projectContainers(f.project);
        return list.some((c) => c.Labels['bosun.service'] === 'b' && c.State === 'running') ? true : undefined;
      },
      60_000,
      f.s,
    );
  });
});
