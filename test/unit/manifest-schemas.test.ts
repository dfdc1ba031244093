import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The schemas are also the editors' schemas: keep them self-contained, strict and in step. */
const dir = join(import.meta.dirname, '../../schemas');
const schemas = readdirSync(dir)
  .filter((f) => f.endsWith('.schema.json'))
  .map((f) => ({ file: f, schema: JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown> }));

/** Every object schema found anywhere inside `node`, with its JSON pointer. */
function objectSchemas(node: unknown, at = ''): { at: string; schema: Record<string, unknown> }[] {
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  const own = record.type === 'object' ? [{ at, schema: record }] : [];
  return [...own, ...Object.entries(record).flatMap(([k, v]) => objectSchemas(v, `${at}/${k}`))];
}

describe('manifest schemas', () => {
  it('has one draft 2020-12 schema with an $id per kind', () => {
    assert.deepEqual(
      schemas.map((s) => s.file),
      [
        'compose.schema.json', // compose files as bosun reads them (src/formats/compose)
        'config.schema.json',
        'network.schema.json',
        'notify.schema.json', // serve's notify config (a host file, like the policy)
        'policy.schema.json', // the host policy file, not a manifest kind; held to the same rules
        'project.schema.json',
        'service.schema.json',
        'stacks.schema.json', // bosun-stacks.yaml, the stack layout of a cluster repo
        'volume.schema.json',
      ],
    );
    for (const { file, schema } of schemas) {
      assert.equal(schema.$schema, 'https://json-schema.org/draft/2020-12/schema', file);
      assert.equal(schema.$id, `https://bosun.dev/schemas/v1/${file}`);
      assert.equal(typeof schema.description, 'string', file);
    }
  });

  it('closes every object except free-form maps', () => {
    for (const { file, schema } of schemas) {
      for (const { at, schema: obj } of objectSchemas(schema)) {
        const closed = obj.additionalProperties === false;
        const map = obj.properties === undefined; // labels, env, data: keys are the user's
        assert.ok(closed || map, `${file}${at} must set additionalProperties: false`);
      }
    }
  });

  it('keeps the shared definitions identical in every file', () => {
    const seen = new Map<string, string>();
    for (const { file, schema } of schemas) {
      for (const [name, def] of Object.entries(schema.$defs as Record<string, unknown>)) {
        const text = JSON.stringify(def);
        assert.equal(seen.get(name) ?? text, text, `$defs/${name} differs in ${file}`);
        seen.set(name, text);
      }
    }
    assert.ok(seen.has('metadata') && seen.has('name'));
  });
});
