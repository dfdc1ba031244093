import { strict as assert } from 'node:assert';
import { BosunError } from '../../src/errors.ts';
import type { ConfigSpec, ServiceSpec } from '../../src/model/desired.ts';
import { resolveEnv } from '../../src/model/env.ts';
import { canonicalJson, serviceSpecHash, sha256 } from '../../src/model/hash.ts';
import { load } from '../fixtures/manifests/helpers.ts';

const CONFIG = (level: string) => `apiVersion: bosun/v1
kind: Config
metadata: { name: web }
spec: { prefix: /shop/web/, data: { LEVEL: ${level}, db.url: "postgres://db" } }
`;

const WEB = `apiVersion: bosun/v1
kind: Service
metadata: { name: web }
spec:
  image: app:1
  env: { A: "1", B: "2" }
  envFrom: [ { config: web } ]
  ports: [ { container: 80 }, { container: 81 } ]
`;

const WEB_REORDERED = `kind: Service
spec:
  ports: [ { container: 81 }, { protocol: tcp, container: 80 } ]
  envFrom: [ { config: web, prefix: "" } ]
  env: { B: "2", A: "1" }
  image: app:1
metadata: { name: web }
apiVersion: bosun/v1
`;

const DB = 'apiVersion: bosun/v1\nkind: Service\nmetadata: { name: db }\nspec: { image: postgres:16 }\n';

function hashes(files: Record<string, string>): Record<string, string> {
  const state = load(files);
  return Object.fromEntries(state.services.map((s) => [s.name, serviceSpecHash(s, state.configs)]));
}

describe('manifest hashing', () => {
  it('canonicalJson sorts keys at every level and leaves out undefined members', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined }], c: null }, u: undefined }),
      '{"a":{"c":null,"d":[3,{"z":1}]},"b":1}',
    );
    assert.equal(canonicalJson({ 10: 'x', 9: 'y' }), '{"10":"x","9":"y"}');
    assert.equal(canonicalJson([undefined, 'a']), '[null,"a"]');
  });

  it('sha256 is hex', () => {
    assert.equal(sha256(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('gives the same hash for the same spec written in another order', () => {
    const a = hashes({ 'web.yaml': WEB, 'c.yaml': CONFIG('info') });
    const b = hashes({ 'web.yaml': WEB_REORDERED, 'c.yaml': CONFIG('info') });
    assert.equal(a.web, b.web);
  });

  it('changes only the hash of services reading a changed Config value', () => {
    const before = hashes({ 'web.yaml': WEB, 'db.yaml': DB, 'c.yaml': CONFIG('info') });
    const after = hashes({ 'web.yaml': WEB, 'db.yaml': DB, 'c.yaml': CONFIG('debug') });
    assert.notEqual(before.web, after.web);
    assert.equal(before.db, after.db);
  });

  it('changes when the container changes, not when the service only scales or reorders its rollout', () => {
    const base = hashes({ 'web.yaml': WEB, 'c.yaml': CONFIG('info') }).web;
    const image = hashes({ 'web.yaml': WEB.replace('app:1', 'app:2'), 'c.yaml': CONFIG('info') }).web;
    const scaled = hashes({
      'web.yaml': `${WEB}  replicas: 4\n  update: { order: start-first }\n  dependsOn: [db]\n`,
      'db.yaml': DB,
      'c.yaml': CONFIG('info'),
    }).web;
    assert.notEqual(image, base);
    assert.equal(scaled, base);
  });
});

describe('resolveEnv', () => {
  const configs: ConfigSpec[] = [
    { name: 'a', prefix: '/a/', data: { 'db.url': 'x', LEVEL: 'info', 'feature-flag': 'on' }, secret: false },
    { name: 'b', prefix: '/b/', data: { LEVEL: 'warn' }, secret: false },
    { name: 's', prefix: '/s/', data: { TOKEN: 'hunter2' }, secret: true },
  ];
  const service = (over: Partial<ServiceSpec>) => ({
    ...load({ 'w.yaml': WEB.replace('envFrom: [ { config: web } ]', 'envFrom: []') }).services[0]!,
    ...over,
  });

  it('names Config keys prefix + key with unsafe characters as "_", later entries and env win, keys sorted', () => {
    const env = resolveEnv(
      service({
        env: { LEVEL: 'debug', Z: '1' },
        envFrom: [
          { config: 'a', prefix: 'APP_' },
          { config: 'b', prefix: 'APP_' },
        ],
      }),
      configs,
    );
    assert.deepEqual(env, { APP_LEVEL: 'warn', APP_db_url: 'x', APP_feature_flag: 'on', LEVEL: 'debug', Z: '1' });
    assert.deepEqual(Object.keys(env), ['APP_LEVEL', 'APP_db_url', 'APP_feature_flag', 'LEVEL', 'Z']);
  });

  it('refuses a secret Config: the engine would show its values to anyone who inspects the container', () => {
    let err: unknown;
    try {
      resolveEnv(service({ envFrom: [{ config: 's', prefix: '' }] }), configs);
    } catch (e) {
      err = e;
    }
    assert.ok(err instanceof BosunError, String(err));
    assert.equal(err.code, 'E_SECRET_IN_ENV');
    assert.equal(
      err.message,
      'service "web" reads secret Config "s" through envFrom, which is refused: environment variables show in docker inspect; mount it with spec.files instead (many images read VAR_FILE)',
    );
  });

  it('refuses a Config that is not in the list rather than dropping variables', () => {
    assert.throws(() => resolveEnv(service({ envFrom: [{ config: 'nope', prefix: '' }] }), configs), /Config "nope"/);
  });
});
