import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import { traceReader } from '../../src/backends/docker/buildkit-trace.ts';

/** Recorded from Docker 20.10's /build with version=2: two RUN --mount steps, the second failing. */
const FIXTURE = new URL('../fixtures/buildkit/run-mount-fails.ndjson', import.meta.url);

function readable(ndjson: string): string[] {
  const reader = traceReader();
  return ndjson
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { id?: string; aux?: unknown })
    .flatMap((e) => (e.id === 'moby.buildkit.trace' && typeof e.aux === 'string' ? reader.lines(e.aux) : []));
}

describe("BuildKit's progress (moby.buildkit.trace) as readable lines", () => {
  it('each step once as it starts, CACHED when not run, its output, and its error', () => {
    assert.deepEqual(readable(fs.readFileSync(FIXTURE, 'utf8')), [
      '[1/3] FROM docker.io/bosun-test/busybox:1 CACHED',
      '[2/3] RUN --mount=type=tmpfs,target=/t echo hello-from-run && echo second line',
      'hello-from-run',
      'second line',
      '[3/3] RUN --mount=type=tmpfs,target=/t false',
      '[3/3] RUN --mount=type=tmpfs,target=/t false ERROR: executor failed running [/bin/sh -c false]: exit code: 1',
    ]);
  });

  it('reads nothing from a message that is no protobuf it knows, without throwing', () => {
    const reader = traceReader();
    assert.deepEqual(reader.lines(Buffer.from([0xff, 0xff, 0xff]).toString('base64')), []);
    assert.deepEqual(reader.lines(''), []);
  });
});
