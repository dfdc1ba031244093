/**
 * `bosun convert` writes bosun/v1 manifests that load to the same desired state as the compose
 * stack (locations aside), for every stack of the corpus: nothing bosun understood is lost.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { formatIssue, ManifestError } from '../../src/errors.ts';
import { bosunV1 } from '../../src/formats/bosun-v1/index.ts';
import { bosunName, durationText, toBosunV1 } from '../../src/formats/compose/convert.ts';
import { loadDesiredState } from '../../src/formats/index.ts';
import type { DesiredState } from '../../src/model/desired.ts';
import type { Artifact } from '../../src/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '../fixtures/compose');

function walk(dir: string, base = ''): [string, Uint8Array][] {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    const rel = base ? `${base}/${n}` : n;
    return statSync(p).isDirectory() ? walk(p, rel) : [[rel, readFileSync(p)] as [string, Uint8Array]];
  });
}

/** bosun/v1 spells `db_data` as `db-data`; the engine names (engineName) stay compose's. */
function renamed(d: DesiredState): unknown {
  let text = JSON.stringify({ ...d, locations: undefined });
  for (const { name } of [...d.volumes, ...d.networks]) {
    if (bosunName(name) !== name) text = text.replaceAll(JSON.stringify(name), JSON.stringify(bosunName(name)));
  }
  return JSON.parse(text);
}

describe('compose convert: bosun/v1 manifests equivalent to the stack', () => {
  it('writes durations as bosun/v1 reads them', () => {
    assert.equal(durationText(90_000), '1m30s');
    assert.equal(durationText(3_600_500), '1h500ms');
    assert.equal(durationText(0), '0s');
  });

  for (const name of readdirSync(ROOT).sort()) {
    it(`${name}: convert, then load as bosun/v1, gives the same desired state`, () => {
      const files = new Map(walk(path.join(ROOT, name)));
      const a: Artifact = { repo: 'r', ref: 'main', revision: 'c'.repeat(40), path: `stacks/${name}`, files };
      const fromCompose = loadDesiredState(a);
      const manifests = toBosunV1(fromCompose, a.path);
      // the compose files stay (bosun/v1 passes over YAML without its apiVersion)
      const converted: Artifact = { ...a, files: new Map([...files, ['bosun.yaml', Buffer.from(manifests)]]) };
      let fromV1: DesiredState;
      try {
        fromV1 = bosunV1.load(converted, {});
      } catch (err) {
        if (err instanceof ManifestError) assert.fail(`${err.issues.map(formatIssue).join('\n')}\n${manifests}`);
        throw err;
      }
      assert.deepEqual(renamed(fromV1), renamed(fromCompose));
    });
  }
});
