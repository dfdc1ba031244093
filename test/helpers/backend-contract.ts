import { strict as assert } from 'node:assert';
import { execute } from '../../src/apply/execute.ts';
import type { Backend } from '../../src/backends/backend.ts';
import type { DesiredState, ServiceSpec } from '../../src/model/desired.ts';
import { renderJson, planString } from '../../src/render/render.ts';
import type { KvStore } from '../../src/ports.ts';
import { downState } from '../../src/session/down.ts';
import { Session } from '../../src/session/session.ts';
import { desired, service } from './model.ts';
import { testSealer } from './state-key.ts';

export interface BackendFixture {
  backend: Backend;
  kv: KvStore;
  /** a project name no other test uses */
  project: string;
  /** a service this back end can really run, at image version 1 or 2 */
  service(name: string, version: 1 | 2, over?: Partial<ServiceSpec>): ServiceSpec;
  cleanup(): Promise<void>;
}

/**
 * What every back end must do, run against each of them (as the KvStore contract is): plan from
 * nothing, converge, plan nothing once converged, replace a changed service, remove a deleted one.
 */
export function backendContract(label: string, make: () => Promise<BackendFixture>): void {
  describe(`back-end contract: ${label}`, function () {
    this.timeout(120_000);
    let f: BackendFixture;
    let session: Session;
    const at = { repo: 'r', ref: 'main', revision: 'b'.repeat(40) };
    const state = (services: ServiceSpec[]): DesiredState => desired(services, [], f.project);
    const converge = async (d: DesiredState, release: number) => {
      const { plan } = await session.planFor(d, at);
      await execute(plan, { backend: f.backend, kv: f.kv, sealer: testSealer(), release });
      return plan;
    };

    before(async () => {
      f = await make();
      session = new Session({ kv: f.kv, sealer: testSealer(), backend: f.backend });
    });
    after(async () => f?.cleanup());

    it('answers ping and observes nothing of a project it never ran', async () => {
      await f.backend.ping();
      const { plan } = await session.planFor(state([f.service('web', 1)]), at);
      assert.equal(plan.summary.create, 1);
      assert.equal(plan.backend, f.backend.name);
    });

    it('converges from nothing, then plans nothing', async () => {
      const d = state([f.service('db', 1), f.service('web', 1, { dependsOn: ['db'] })]);
      const first = await converge(d, 1);
      assert.ok(first.summary.create >= 2, planString(first));
      const again = await session.planFor(d, at);
      assert.equal(again.plan.operations.length, 0, planString(again.plan));
    });

    it('replaces a changed service only, and describes every operation it plans', async () => {
      const d = state([f.service('db', 1), f.service('web', 2, { dependsOn: ['db'] })]);
      const { plan } = await session.planFor(d, at);
      assert.equal(plan.summary.replace, 1, planString(plan));
      assert.equal(plan.summary.create + plan.summary.remove, 0, planString(plan));
      assert.match(planString(plan), /~ \S+ .*web/);
      assert.equal(JSON.parse(renderJson(plan)).operations.length, plan.operations.length);
      await execute(plan, { backend: f.backend, kv: f.kv, sealer: testSealer(), release: 2 });
      assert.equal((await session.planFor(d, at)).plan.operations.length, 0);
    });

    it('removes a service deleted from the desired state', async () => {
      const d = state([f.service('db', 1)]);
      const plan = await converge(d, 3);
      assert.equal(plan.summary.remove, 1, planString(plan));
      assert.equal((await session.planFor(d, at)).plan.operations.length, 0);
    });

    it('takes everything of the project away with a teardown (bosun down), then plans nothing more', async () => {
      const teardown = { volumes: true };
      const empty = downState(f.project, undefined, true);
      const first = await session.planFor(empty, at, teardown);
      assert.ok(first.plan.summary.remove >= 1, planString(first.plan));
      assert.ok(
        first.plan.operations.every((op) => op.cause.startsWith('bosun down')),
        planString(first.plan),
      );
      await execute(first.plan, { backend: f.backend, kv: f.kv, sealer: testSealer(), release: 4 });
      const again = await session.planFor(empty, at, teardown);
      assert.equal(again.plan.operations.length, 0, planString(again.plan));
    });

    it('opens an event feed and closes it', async () => {
      const feed = await f.backend.watch(f.project, { event: () => undefined, lost: () => undefined });
      feed.close();
      assert.ok(Array.isArray(await f.backend.endpoints(f.project)));
    });
  });
}

/** A plain service for back ends that run anything (the fake). */
export function plainService(name: string, version: 1 | 2, over: Partial<ServiceSpec> = {}): ServiceSpec {
  return service(name, { image: `app:${version}`, ...over });
}
