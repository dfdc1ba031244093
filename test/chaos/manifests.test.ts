/**
 * Hostile manifests: a generated corpus (see corpus/) of invalid, malicious and absurd inputs.
 * Each one must be refused the way every bad repo is: one ManifestError whose issues all point
 * at a file, line and column, within a time budget, without touching any prototype. Cases run
 * on a worker thread so a hang is cut off by a watchdog and reported as that case's failure.
 */
import { strict as assert } from 'node:assert';
import { corpus } from './corpus/index.ts';
import type { Outcome } from './outcome.ts';
import { runCorpus } from './run-corpus.ts';

/**
 * Not a speed goal (those live in bench/): a bound generous enough for a loaded CI machine that
 * still catches the super-linear blow-ups this corpus found (30 s to minutes per case).
 */
const CASE_BUDGET_MS = 10_000;
/** Past this the worker is killed: the case is a hang as far as a controller is concerned. */
const HARD_LIMIT_MS = 30_000;
const CORPUS_BUDGET_MS = 240_000;
const MIN_CASES = 200;

function explain(o: Outcome): string {
  const head = `${o.verdict} after ${Math.round(o.ms)} ms`;
  if (o.verdict === 'crashed') return `${head}: ${o.error}\n${o.stack ?? ''}`;
  if (o.verdict === 'accepted') return `${head}: loadDesiredState accepted it`;
  return `${head}; issues: ${o.issueCount}\n${o.sample.join('\n')}`;
}

describe('hostile manifests: the loader refuses every case of the corpus cleanly', function () {
  const cases = corpus();
  let outcomes = new Map<string, Outcome>();
  let totalMs = 0;
  this.timeout(CORPUS_BUDGET_MS + 30_000);

  before(async () => {
    const started = performance.now();
    outcomes = await runCorpus(
      cases.map((c) => c.id),
      { hardLimitMs: HARD_LIMIT_MS },
    );
    totalMs = performance.now() - started;
  });

  it(`has at least ${MIN_CASES} cases with unique ids, and finishes within ${CORPUS_BUDGET_MS / 1000}s`, () => {
    assert.ok(cases.length >= MIN_CASES, `only ${cases.length} cases`);
    assert.equal(new Set(cases.map((c) => c.id)).size, cases.length, 'duplicate case ids');
    assert.equal(outcomes.size, cases.length);
    assert.ok(totalMs < CORPUS_BUDGET_MS, `the corpus took ${Math.round(totalMs)} ms`);
  });

  for (const c of cases) {
    it(c.id, () => {
      const o = outcomes.get(c.id);
      assert.ok(o, 'no outcome');
      assert.equal(o.verdict, 'manifest-error', explain(o));
      assert.ok(o.ms < CASE_BUDGET_MS, `took ${Math.round(o.ms)} ms (budget ${CASE_BUDGET_MS} ms)`);
      assert.ok(o.issueCount >= 1, 'a ManifestError without issues');
      assert.deepEqual(o.badIssues, [], 'every issue needs a file of the repo, line >= 1, col >= 1 and a message');
      assert.deepEqual(o.polluted, [], 'a prototype was modified');
    });
  }
});
