import { strict as assert } from 'node:assert';
import {
  asBosunError,
  BosunError,
  CODE_TABLE,
  Codes,
  dispositionOf,
  isTransient,
  ManifestError,
  type Code,
} from '../../src/errors.ts';
import { parseDuration, parseMemory } from '../../src/formats/units.ts';
import type { ServiceSpec } from '../../src/model/desired.ts';
import { resolveEnv, resolveFiles } from '../../src/model/env.ts';
import { reportError } from '../../src/cli/report.ts';
import type { Release } from '../../src/model/release.ts';
import { failedBefore } from '../../src/server/passes.ts';
import { Runner, type RunnerDeps } from '../../src/server/runner.ts';
import type { Attempt } from '../../src/server/status.ts';

const DISPOSITIONS = ['stalled', 'retry', 'busy'];

describe('errors: the code table', () => {
  it('gives every code a disposition and a meaning, and lists nothing Codes does not', () => {
    const codes = Object.values(Codes);
    assert.deepEqual(Object.keys(CODE_TABLE).sort(), [...codes].sort());
    assert.equal(new Set(codes).size, codes.length, 'two names for one code');
    for (const code of codes) {
      assert.ok(DISPOSITIONS.includes(CODE_TABLE[code].disposition), code);
      assert.ok(CODE_TABLE[code].meaning.length > 10, code);
      assert.match(code, /^E_[A-Z_]+$/);
    }
  });

  it('derives a BosunError’s disposition from its code', () => {
    for (const code of Object.values(Codes)) {
      const err = new BosunError(code, 'x', { data: { a: 1 } });
      assert.equal(err.code, code);
      assert.equal(err.disposition, CODE_TABLE[code].disposition, code);
      assert.equal(err.disposition, dispositionOf(code));
    }
  });

  it('refuses a code that is not in the table, when type-checking', () => {
    // @ts-expect-error a string outside the table is not a Code
    assert.throws(() => new BosunError('E_NOT_A_CODE', 'x'), TypeError);
  });

  it('classifies the failures that once shared a code apart', () => {
    const expected: Record<string, string> = {
      E_STORE_CONFLICT: 'retry',
      E_STORE_CORRUPT: 'stalled',
      E_STORE_UNREACHABLE: 'retry',
      E_STORE_OPEN: 'stalled',
      E_LOCKED: 'busy',
      E_LOCK_LOST: 'retry',
      E_GIT_FETCH: 'stalled',
      E_GIT_UNREACHABLE: 'retry',
      E_DOCKER_UNREACHABLE: 'retry',
      E_DOCKER_API: 'stalled',
      E_DOCKER_HOST: 'stalled',
      E_DOCKER_TLS: 'stalled',
      E_DOCKER_SSH: 'stalled',
      E_CONTAINER_FAILED: 'stalled',
      E_IMAGE_MISSING: 'stalled',
      E_MANIFEST_INVALID: 'stalled',
      E_INTERRUPTED: 'retry',
      E_UNEXPECTED: 'retry',
      E_INTERNAL: 'stalled',
    };
    for (const [code, disposition] of Object.entries(expected)) {
      assert.equal(new BosunError(code as Code, 'x').disposition, disposition, code);
    }
  });

  it('calls retry and busy codes transient, and nothing it does not know', () => {
    for (const code of [
      'E_DOCKER_UNREACHABLE',
      'E_STORE_UNREACHABLE',
      'E_STORE_CONFLICT',
      'E_LOCKED',
      'E_LOCK_LOST',
      'E_GIT_UNREACHABLE',
    ]) {
      assert.equal(isTransient(code), true, code);
    }
    for (const code of [
      'E_CONTAINER_FAILED',
      'E_IMAGE_MISSING',
      'E_DOCKER_API',
      'E_STORE_CORRUPT',
      'E_ROLLOUT_PAUSED',
      'E_MANIFEST_INVALID',
    ]) {
      assert.equal(isTransient(code), false, code);
    }
    for (const code of ['', 'E_NOT_A_CODE', 'toString', '__proto__']) {
      assert.equal(dispositionOf(code), undefined, code);
      assert.equal(isTransient(code), false, code);
    }
  });

  it('keeps a manifest error stalled', () => {
    const err = new ManifestError([{ file: 'a.yaml', line: 1, col: 2, path: 'spec', message: 'bad' }]);
    assert.equal(err.code, 'E_MANIFEST_INVALID');
    assert.equal(err.disposition, 'stalled');
    assert.equal(err.message, '1 manifest error:\na.yaml:1:2 spec: bad');
  });

  it('turns anything thrown that is not a BosunError into E_UNEXPECTED, message kept', () => {
    const known = new BosunError(Codes.locked, 'held');
    assert.equal(asBosunError(known), known);
    const plain = new Error('boom');
    const wrapped = asBosunError(plain);
    assert.deepEqual(
      [wrapped.code, wrapped.disposition, wrapped.message, wrapped.cause],
      ['E_UNEXPECTED', 'retry', 'boom', plain],
    );
    assert.equal(asBosunError('a string').message, 'a string');
  });
  it('tells the CLI user to rerun with BOSUN_DEBUG only for an unexpected error', () => {
    const written: string[] = [];
    const write = process.stderr.write;
    const debug = process.env.BOSUN_DEBUG;
    delete process.env.BOSUN_DEBUG;
    process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof process.stderr.write;
    try {
      assert.equal(reportError(new BosunError(Codes.usage, 'bad flag')), 1);
      assert.equal(reportError(new TypeError('x is undefined')), 1);
    } finally {
      process.stderr.write = write;
      if (debug !== undefined) process.env.BOSUN_DEBUG = debug;
    }
    assert.deepEqual(written, [
      'error: bad flag\n',
      'error: x is undefined\n(unexpected: rerun with BOSUN_DEBUG=1 for details)\n',
    ]);
  });

  it('reports a broken invariant as E_INTERNAL (stalled), with the message it always had', () => {
    const internal = (message: string) => (e: unknown) =>
      e instanceof BosunError && e.code === 'E_INTERNAL' && e.disposition === 'stalled' && e.message === message;
    const web = {
      name: 'web',
      env: {},
      envFrom: [{ config: 'app', prefix: '' }],
      files: [{ config: 'app', target: '/etc/app', mode: 0o644 }],
    } as unknown as ServiceSpec;
    const missing = 'service "web" reads Config "app", which is not in the desired state';
    assert.throws(() => resolveEnv(web, []), internal(missing));
    assert.throws(() => resolveFiles({ ...web, envFrom: [] }, []), internal(missing));
    assert.throws(() => parseDuration('5 minutes'), internal('invalid duration "5 minutes"'));
    assert.throws(() => parseMemory('lots'), internal('invalid memory quantity "lots"'));
  });
});

describe('errors: a poll re-applies a revision only after a transient failure', () => {
  const failed = (code: string | undefined): Release =>
    ({
      number: 7,
      project: 'p',
      revision: 'a'.repeat(40),
      status: 'failed',
      error: code === undefined ? undefined : { code, message: 'm' },
    }) as Release;
  const skipped = (code: string | undefined) => failedBefore(failed(code), 'a'.repeat(40));

  it('retries the codes it always did, and a lost lock', () => {
    for (const code of ['E_DOCKER_UNREACHABLE', 'E_STORE_UNREACHABLE', 'E_STORE_CONFLICT', 'E_LOCKED', 'E_LOCK_LOST']) {
      assert.equal(skipped(code), undefined, code);
    }
  });

  it('skips a revision that failed for a reason of its own, or an unknown one', () => {
    for (const code of [
      'E_CONTAINER_FAILED',
      'E_IMAGE_MISSING',
      'E_DOCKER_API',
      'E_STORE_CORRUPT',
      'E_ROLLOUT_PAUSED',
      'E_SOMETHING_OLD',
      undefined,
    ]) {
      assert.equal(
        skipped(code),
        `revision ${'a'.repeat(12)} already failed as release 7: push a fix, redeliver the webhook or run bosun reconcile`,
        String(code),
      );
    }
  });

  it('judges only the same revision, and a rollback whatever its code', () => {
    assert.equal(failedBefore(failed('E_CONTAINER_FAILED'), 'b'.repeat(40)), undefined);
    const rolledBack = { ...failed('E_STORE_CONFLICT'), status: 'rolled-back' } as Release;
    assert.match(failedBefore(rolledBack, 'a'.repeat(40)) ?? '', /already rolled-back as release 7/);
    assert.equal(failedBefore({ ...failed(undefined), status: 'interrupted' } as Release, 'a'.repeat(40)), undefined);
  });
});

describe('errors: a server pass that throws what nobody anticipated', () => {
  it('is recorded as E_UNEXPECTED (not its own code), disposition retry, and retried later', async () => {
    const retried: string[] = [];
    const results: string[] = [];
    const status: { lastAttempt?: Attempt } = {};
    const deps = {
      project: 'p',
      session: {
        backend: { ping: () => Promise.reject(Object.assign(new Error('x is undefined'), { code: 'EACCES' })) },
        releaseInForce: () => Promise.resolve(undefined),
      },
      log: { info: () => {}, warn: () => {}, error: () => {} },
      metrics: {
        reconciles: { inc: (l: { result: string }) => results.push(l.result) },
        duration: { observe: () => {} },
      },
      status,
      activity: { begin: () => {}, end: () => {} },
      isLeader: () => true,
      retryLater: (t: string) => retried.push(t),
      succeeded: () => assert.fail('the pass did not succeed'),
    } as unknown as RunnerDeps;
    await new Runner(deps).run({ heal: true });
    assert.deepEqual(status.lastAttempt?.error, {
      code: 'E_UNEXPECTED',
      message: 'x is undefined',
      disposition: 'retry',
    });
    assert.deepEqual([results, retried], [['retry'], ['drift']]);
  });
});
