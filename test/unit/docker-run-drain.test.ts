import { strict as assert } from 'node:assert';
import { runContainerOperation } from '../../src/backends/docker/run.ts';
import type { ContainerOperation } from '../../src/backends/docker/model.ts';
import type { DockerRuntime } from '../../src/backends/docker/runtime.ts';

/** The engine calls in order, beside the hooks the apply path gives the back end. */
function recorder() {
  const calls: string[] = [];
  const engine = {
    remove: async (id: string) => void calls.push(`remove ${id}`),
    rename: async (from: string, to: string) => void calls.push(`rename ${from} ${to}`),
  } as unknown as DockerRuntime;
  const ctx = {
    release: 2,
    revision: 'abc',
    removing: (id: string) => void calls.push(`removing ${id}`),
    drain: async (t: { service: string; replica: number; id: string; successor?: boolean }) =>
      void calls.push(`drain ${t.service}.${t.replica} ${t.id}${t.successor ? ' (successor)' : ''}`),
  };
  return { calls, engine, ctx };
}

describe('docker back end: a container leaves the proxies before it stops', () => {
  it('retire (start-first): drain, then remove, then the successor takes the name', async () => {
    const { calls, engine, ctx } = recorder();
    const op: ContainerOperation = {
      kind: 'retire-container',
      service: 'web',
      replica: 1,
      containerId: 'old1',
      name: 'shop-web-1',
      successor: 'shop-web-1-next-12345678',
      stopTimeoutSec: 1,
      cause: 'replaced',
    };
    await runContainerOperation(op, engine, ctx);
    assert.deepEqual(calls, [
      'drain web.1 old1 (successor)',
      'removing old1',
      'remove old1',
      'rename shop-web-1-next-12345678 shop-web-1',
    ]);
  });

  it('remove (scale down): drain first too', async () => {
    const { calls, engine, ctx } = recorder();
    const op: ContainerOperation = {
      kind: 'remove-container',
      service: 'web',
      replica: 3,
      containerId: 'c3',
      name: 'shop-web-3',
      stopTimeoutSec: 1,
      cause: 'scale 3 → 2',
    };
    await runContainerOperation(op, engine, ctx);
    assert.deepEqual(calls, ['drain web.3 c3', 'removing c3', 'remove c3']);
  });
});
