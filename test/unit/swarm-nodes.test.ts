/** A swarm node that is down, as plans and status say it (pure). */
import assert from 'node:assert/strict';
import type { ObservedTask, SwarmObserved } from '../../src/backends/swarm/model.ts';
import { Registry } from 'prom-client';
import type { Backend, NodeDown } from '../../src/backends/backend.ts';
import { nodeNotes, nodesDown } from '../../src/backends/swarm/nodes.ts';
import { nodeGauges, readNodesDown } from '../../src/server/nodes.ts';

function task(id: string, slot: number, nodeId: string, desiredState: string, state: string): ObservedTask {
  return { id, slot, nodeId, desiredState, state, addresses: [], hostPorts: [] };
}

function observed(h3: string, tasks: ObservedTask[]): SwarmObserved {
  const node = (id: string, state: string) => ({
    id,
    hostname: id,
    state,
    availability: 'active',
    addr: `10.0.0.${id.slice(-1)}`,
    manager: id === 'h1',
  });
  const current = { image: '', env: [], command: [], args: [], ports: [], mounts: [], memoryBytes: 0, nanoCpus: 0 };
  return {
    services: [{ id: 's', name: 'p_web', service: 'web', version: 1, specHash: 'x', current, tasks, ports: [] }],
    networks: [],
    configs: [],
    secrets: [],
    nodes: [node('h1', 'ready'), node('h2', 'ready'), node('h3', h3)],
  };
}

describe('swarm: nodes that are down', () => {
  it('names the node and where the swarm moved each replica it ran', () => {
    const notes = nodeNotes(
      observed('down', [
        task('a', 1, 'h1', 'running', 'running'),
        task('b', 2, 'h3', 'shutdown', 'running'),
        task('c', 2, 'h2', 'running', 'running'),
        task('d', 3, 'h3', 'shutdown', 'orphaned'),
        task('e', 3, 'h1', 'running', 'starting'),
      ]),
    );
    assert.deepEqual(notes, ['node h3 (10.0.0.3) is down; the swarm moved its tasks: web.2 → h2, web.3 → h1']);
  });

  it('says nothing when every node is ready, and no move that has not happened', () => {
    assert.deepEqual(nodeNotes(observed('ready', [task('a', 1, 'h3', 'running', 'running')])), []);
    assert.deepEqual(nodeNotes(observed('unknown', [task('a', 1, 'h3', 'running', 'running')])), [
      'node h3 (10.0.0.3) is unknown',
    ]);
  });
});

describe('serve: nodes down in /status and metrics', () => {
  const down: NodeDown[] = [
    {
      node: 'h3',
      addr: '10.0.0.3',
      state: 'down',
      moved: [
        { task: 'web.2', to: 'h2' },
        { task: 'web.3', to: 'h1' },
      ],
    },
  ];
  const backend = (read: () => Promise<NodeDown[]>) => ({ nodesDown: read }) as unknown as Backend;

  it('the data /status shows: the node, its state, each replica moved and where', () => {
    const tasks = [task('b', 2, 'h3', 'shutdown', 'running'), task('c', 2, 'h2', 'running', 'running')];
    assert.deepEqual(nodesDown(observed('down', tasks)), [
      { node: 'h3', addr: '10.0.0.3', state: 'down', moved: [{ task: 'web.2', to: 'h2' }] },
    ]);
  });

  it('gauges labelled by project, read at each scrape; a failed read reports no number', async () => {
    let fail = false;
    const registry = new Registry();
    nodeGauges(
      registry,
      backend(async () => {
        if (fail) throw new Error('manager gone');
        return down;
      }),
      'shop',
    );
    const text = await registry.metrics();
    assert.match(text, /^bosun_nodes_down\{project="shop"\} 1$/m);
    assert.match(text, /^bosun_tasks_moved\{project="shop"\} 2$/m);
    fail = true;
    assert.doesNotMatch(await registry.metrics(), /^bosun_nodes_down\{/m);
  });

  it('status: nodes down for a cluster back end, the error when the manager does not answer, nothing for one host', async () => {
    assert.deepEqual(
      await readNodesDown(
        backend(async () => down),
        'shop',
      ),
      { nodesDown: down },
    );
    const failing = backend(async () => {
      throw new Error('connect ECONNREFUSED /tmp/m.sock');
    });
    assert.deepEqual(await readNodesDown(failing, 'shop'), { nodesError: 'connect ECONNREFUSED /tmp/m.sock' });
    assert.deepEqual(await readNodesDown({} as Backend, 'shop'), {});
  });
});
