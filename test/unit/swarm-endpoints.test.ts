/** Where a swarm project's replicas answer, as published to etcd (pure). */
import assert from 'node:assert/strict';
import { swarmEndpoints } from '../../src/backends/swarm/endpoints.ts';
import type { ObservedNode, ObservedService, ObservedTask } from '../../src/backends/swarm/model.ts';

const nodes: ObservedNode[] = [1, 2].map((i) => ({
  id: `n${i}`,
  hostname: `h${i}`,
  state: 'ready',
  availability: 'active',
  addr: `10.0.0.${i}`,
  manager: i === 1,
}));

function task(
  slot: number,
  nodeId: string,
  hostPorts: ObservedTask['hostPorts'],
  state = 'running',
  more: Partial<ObservedTask> = {},
): ObservedTask {
  return { id: `t${slot}${nodeId}`, slot, nodeId, desiredState: 'running', state, addresses: [], hostPorts, ...more };
}

function service(name: string, tasks: ObservedTask[], ports: ObservedService['ports'] = []): ObservedService {
  const current = { image: '', env: [], command: [], args: [], ports: [], mounts: [], memoryBytes: 0, nanoCpus: 0 };
  return { id: name, name: `p_${name}`, service: name, version: 1, specHash: 'x', current, tasks, ports };
}

describe('swarm: endpoints', () => {
  it('one endpoint per replica: its lowest published target port, a port listed per address family once', () => {
    const web = service('web', [
      task(1, 'n2', [
        { published: 8443, target: 443 },
        { published: 8080, target: 80 },
        { published: 8080, target: 80 },
      ]),
      task(2, 'n1', [{ published: 8080, target: 80 }], 'starting'),
    ]);
    assert.deepEqual(swarmEndpoints([web], nodes), [
      { service: 'web', replica: 1, host: '10.0.0.2', port: 8080, container: 'p_web.1', id: 't1n2' },
    ]);
  });

  it("ingress ports answer on the task's node; a task without a published port has no endpoint", () => {
    const api = service(
      'api',
      [task(1, 'n1', [])],
      [{ published: 9000, target: 90, protocol: 'tcp', mode: 'ingress' }],
    );
    const worker = service('worker', [task(1, 'n2', [])]);
    assert.deepEqual(swarmEndpoints([api, worker], nodes), [
      { service: 'api', replica: 1, host: '10.0.0.1', port: 9000, container: 'p_api.1', id: 't1n1' },
    ]);
  });

  it('a start-first successor takes its slot from the task it replaces; a task being shut down has none', () => {
    const port = (published: number) => [{ published, target: 80 }];
    const web = service('web', [
      task(1, 'n1', port(31001), 'running', { id: 'old1', release: 4, specHash: 'a' }),
      task(1, 'n2', port(31002), 'running', { id: 'new1', release: 5, specHash: 'x' }),
      task(2, 'n2', port(31003), 'running', { id: 'old2', release: 4, specHash: 'a', desiredState: 'shutdown' }),
      task(2, 'n1', port(31004), 'running', { id: 'new2', release: 5, specHash: 'x' }),
    ]);
    const got = swarmEndpoints([web], nodes);
    assert.deepEqual(
      got.map((e) => `${e.replica} ${e.id} r${e.release} ${e.host}:${e.port}`),
      ['1 new1 r5 10.0.0.2:31002', '2 new2 r5 10.0.0.1:31004'],
    );
    // listed in the other order, the same slot holder
    assert.deepEqual(swarmEndpoints([{ ...web, tasks: [...web.tasks].reverse() }], nodes), got);
  });

  it("at equal releases (an update by hand), the task of the service's current spec holds the slot", () => {
    const web = service('web', [
      task(1, 'n2', [{ published: 31002, target: 80 }], 'running', { id: 'cur', release: 3, specHash: 'x' }),
      task(1, 'n1', [{ published: 31001, target: 80 }], 'running', { id: 'prev', release: 3, specHash: 'y' }),
    ]);
    assert.deepEqual(
      swarmEndpoints([web], nodes).map((e) => e.id),
      ['cur'],
    );
  });
});
