import { strict as assert } from 'node:assert';
import { ManifestError } from '../../src/errors.ts';
import { defaultPolicy, type PolicyInForce } from '../../src/policy/defaults.ts';
import { mergePolicy } from '../../src/policy/load.ts';
import { heal } from '../../src/session/heal.ts';
import { applyAsRelease } from '../../src/session/release-apply.ts';
import { rollbackTo } from '../../src/session/rollback.ts';
import { Session } from '../../src/session/session.ts';
import { MemoryKv } from '../fakes/memory-store.ts';
import { ScriptedBackend } from '../fakes/scripted-backend.ts';
import { desired, service } from '../helpers/model.ts';
import { testSealer } from '../helpers/state-key.ts';

const at = { repo: 'r', ref: 'main', revision: 'c'.repeat(40) };
const strict = { ...mergePolicy(defaultPolicy(), { images: { allow: ['app:2'] } }), file: 'p.yaml' };
const refusal =
  '1 host policy violation:\n<root>:1:1 image app:1 is not allowed by the host policy (p.yaml: images.allow)';

/** Release 1 (app:1) applied under the default policy; a session on the same store and engine under `strict`. */
async function recorded(web = service('web'), then: PolicyInForce = strict, first = defaultPolicy()) {
  const kv = new MemoryKv();
  const backend = new ScriptedBackend();
  const sealer = testSealer();
  const loose = new Session({ kv, sealer, backend, policy: first });
  const { plan } = await loose.planFor(desired([web]), at);
  await applyAsRelease(loose, plan, { trigger: 'cli', images: await backend.resolveImages(plan) });
  return { backend, session: new Session({ kv, sealer, backend, policy: then }) };
}

describe('host policy on releases re-run from the store', () => {
  it('drift healing refuses a release in force that the policy now forbids, calling nothing', async () => {
    const { backend, session } = await recorded();
    const calls = backend.calls.length;
    await assert.rejects(
      heal(session, 'shop'),
      (err: unknown) => err instanceof ManifestError && err.code === 'E_POLICY_DENIED' && err.message === refusal,
    );
    assert.equal(backend.calls.length, calls);
  });

  it('rollback refuses it too, changing nothing', async () => {
    const { backend, session } = await recorded();
    const calls = backend.calls.length;
    await assert.rejects(rollbackTo(session, 'shop', 1), (err: unknown) => (err as Error).message === refusal);
    assert.equal(backend.calls.length, calls);
  });

  it('a privileged release recorded under a looser policy is refused on rollback by the one in force', async () => {
    const allowing = {
      ...mergePolicy(defaultPolicy(), { privileged: true, capabilities: { allow: ['SYS_ADMIN'] } }),
      file: 'old.yaml',
    };
    const web = service('web', { options: { privileged: true, capAdd: ['SYS_ADMIN'] } });
    const { backend, session } = await recorded(web, defaultPolicy(), allowing);
    const calls = backend.calls.length;
    const hint = (rule: string) =>
      `is not allowed by the host policy (built-in default: ${rule}); allow it in --policy FILE`;
    await assert.rejects(
      rollbackTo(session, 'shop', 1),
      (err: unknown) =>
        (err as Error).message ===
        [
          '2 host policy violations:',
          `<root>:1:1 privileged mode ${hint('privileged')}`,
          `<root>:1:1 capability SYS_ADMIN ${hint('capabilities.allow')}`,
        ].join('\n'),
    );
    assert.equal(backend.calls.length, calls);
  });
});
