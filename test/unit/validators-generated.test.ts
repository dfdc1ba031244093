/**
 * The schema validators run as standalone code generated at build time (src/validators/); the
 * test run generates them for the sources (test/helpers/fresh-build.ts). The generated code must
 * be what runs, and must answer exactly as ajv compiling the same set at run time (the fallback
 * for a stale or missing file), errors included: the manifest messages are built from them.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { compileSet } from '../../src/validators/compile.ts';
import { generatedFile, validatorOrigin } from '../../src/validators/index.ts';
import { SETS, type SetName } from '../../src/validators/sets.ts';

const require = createRequire(import.meta.url);

const SAMPLES: Record<SetName, [string, unknown][]> = {
  manifests: [
    ['Service', { apiVersion: 'bosun/v1', kind: 'Service', metadata: { name: 'web' }, spec: { image: 'nginx' } }],
    ['Service', { apiVersion: 'bosun/v1', kind: 'Service', metadata: { name: 'Bad Name' }, spec: { replicas: -1 } }],
    ['Service', { kind: 'Service', metadata: {}, spec: { image: 3, env: { A: [] }, ports: ['x'], extra: 1 } }],
    ['Project', { apiVersion: 'bosun/v1', kind: 'Project', metadata: { name: 'p' }, spec: { historyLimit: 'x' } }],
    ['Config', { apiVersion: 'bosun/v1', kind: 'Config', metadata: { name: 'c' }, spec: { data: 1 } }],
    ['Network', { apiVersion: 'bosun/v1', kind: 'Network', metadata: { name: 'n' }, spec: { driver: 1 } }],
    ['Volume', { apiVersion: 'bosun/v1', kind: 'Volume', metadata: { name: 'v' }, unknown: true }],
  ],
  policy: [
    ['Policy', { hostPaths: { allow: ['relative'] }, limits: { maxReplicas: 'x' }, bogus: 1 }],
    ['Policy', {}],
  ],
  compose: [
    ['Compose', { services: { web: { image: 'nginx', ports: ['8080:80'] } } }],
    ['Compose', { services: { web: { image: 3, restart: 'sometimes' } }, bogus: {} }],
  ],
  notify: [
    ['Notify', { targets: [{ name: 'x', type: 'carrier-pigeon' }] }],
    ['Notify', 'not an object'],
  ],
  desiredState: [
    ['DesiredState', { project: { name: 'p' } }],
    ['DesiredState', 'not an object'],
  ],
};

describe('generated schema validators', () => {
  for (const name of Object.keys(SETS) as SetName[]) {
    it(`${name}: the generated code runs, and answers as ajv compiling the set now`, () => {
      assert.equal(validatorOrigin(name), 'generated');
      const generated = require(generatedFile(name));
      const compiled = compileSet(SETS[name]);
      for (const [schema, data] of SAMPLES[name]) {
        const g = generated[schema];
        const c = compiled[schema]!;
        assert.equal(g(data), c(data), `${schema} ${JSON.stringify(data)}`);
        assert.deepEqual(JSON.parse(JSON.stringify(g.errors)), JSON.parse(JSON.stringify(c.errors)));
      }
      assert.ok(
        SAMPLES[name].some(([schema, data]) => !compiled[schema]!(data)),
        'a sample must be invalid',
      );
    });
  }
});
