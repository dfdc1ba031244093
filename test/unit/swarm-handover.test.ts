/** Which tasks a swarm start-first update is replacing, and that each leaves the proxies once. */
import assert from 'node:assert/strict';
import type { DrainTarget } from '../../src/coord/drain.ts';
import { waitConverged } from '../../src/backends/swarm/converge.ts';
import { handovers } from '../../src/backends/swarm/handover.ts';
import type { ObservedTask } from '../../src/backends/swarm/model.ts';
import type { SwarmRuntime } from '../../src/backends/swarm/runtime.ts';

function task(id: string, slot: number, specHash: string, state = 'running', desiredState = 'running'): ObservedTask {
  return { id, slot, nodeId: 'n1', specHash, state, desiredState, addresses: [], hostPorts: [] };
}

describe('swarm: start-first handovers', () => {
  it('an old task is handed over once a task of the new spec runs in its slot', () => {
    const tasks = [
      task('old1', 1, 'a', 'running', 'shutdown'),
      task('new1', 1, 'b'),
      task('old2', 2, 'a'),
      task('new2', 2, 'b', 'starting'),
      task('old3', 3, 'a', 'shutdown', 'shutdown'),
      task('new3', 3, 'b'),
    ];
    // slot 2's successor is not running yet; slot 3's old task has stopped already
    assert.deepEqual(handovers(tasks, 'b'), [{ slot: 1, oldId: 'old1' }]);
    assert.deepEqual(handovers(tasks, 'a'), []);
  });

  it('waitConverged drains each replaced task once, as a start-first successor, and awaits the drains', async () => {
    // the manager's answers, poll by poll; the last one repeats
    const polls: ObservedTask[][] = [
      [task('old1', 1, 'a'), task('old2', 2, 'a'), task('new1', 1, 'b', 'starting')],
      [task('old1', 1, 'a', 'running', 'shutdown'), task('old2', 2, 'a'), task('new1', 1, 'b')],
      [
        task('old1', 1, 'a', 'running', 'shutdown'),
        task('old2', 2, 'a', 'running', 'shutdown'),
        task('new1', 1, 'b'),
        task('new2', 2, 'b'),
      ],
      [task('new1', 1, 'b'), task('new2', 2, 'b')],
    ];
    let n = 0;
    let state = 'updating';
    const engine = {
      listNodes: async () => [],
      serviceTasks: async () => {
        const tasks = polls[Math.min(n++, polls.length - 1)]!;
        if (n >= polls.length) state = 'completed';
        return tasks;
      },
      inspectService: async () => ({ updateState: state }),
    } as unknown as SwarmRuntime;
    const drained: string[] = [];
    let finished = 0;
    const drain = async (t: DrainTarget) => {
      drained.push(`${t.service}.${t.replica} ${t.id}${t.successor ? ' (successor)' : ''}`);
      await new Promise((r) => setTimeout(r, 50));
      finished++;
    };
    const lines: string[] = [];
    await waitConverged(engine, {
      serviceId: 's',
      service: 'web',
      hash: 'b',
      replicas: 2,
      start: { readyTimeoutMs: 10_000, monitorMs: 0 },
      parallelism: 1,
      progress: (l) => lines.push(l),
      drain,
    });
    assert.deepEqual(drained, ['web.1 old1 (successor)', 'web.2 old2 (successor)']);
    assert.equal(finished, 2, 'every drain finished before the operation did');
    assert.ok(lines.includes('web.1: task old1 replaced, draining'), lines.join('\n'));
  });

  it('a failed drain fails the operation once the rollout is done', async () => {
    const engine = {
      listNodes: async () => [],
      serviceTasks: async () => [task('old1', 1, 'a', 'running', 'shutdown'), task('new1', 1, 'b')],
      inspectService: async () => ({ updateState: 'completed' }),
    } as unknown as SwarmRuntime;
    const drain = async () => {
      throw new Error('etcd is away');
    };
    await assert.rejects(
      waitConverged(engine, {
        serviceId: 's',
        service: 'web',
        hash: 'b',
        replicas: 1,
        start: { readyTimeoutMs: 10_000, monitorMs: 0 },
        parallelism: 1,
        drain,
      }),
      /etcd is away/,
    );
  });
});
