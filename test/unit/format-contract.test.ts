/**
 * Every registered format, and a test-only one built without editing src/, passes the same
 * contract; the registry picks whichever recognises the artifact and keeps today's messages
 * when none does.
 */
import { strict as assert } from 'node:assert';
import { DEFAULT_FORMATS, formatOf, loadDesiredState, projectNameOf } from '../../src/formats/index.ts';
import { servicesTxt } from '../fixtures/formats/services-txt.ts';
import { artifact, issuesOf, PROJECT, serviceDoc, type Files } from '../fixtures/manifests/helpers.ts';
import { formatContract, type FormatExamples } from '../helpers/format-contract.ts';

const BOSUN_V1: FormatExamples = {
  valid: {
    'bosun.yaml': PROJECT,
    'web.yaml': serviceDoc('web', '  image: nginx:1\n  replicas: 2\n'),
    '.github/workflows/ci.yaml': 'on: push\n',
  },
  project: 'shop',
  broken: { 'bosun.yaml': PROJECT, 'web.yaml': serviceDoc('web', '  image: nginx:1\n  replicas: many\n') },
  ownFile: 'web.yaml',
  foreign: {
    'compose.yaml': 'services:\n  web:\n    image: nginx:1\n',
    'services.txt': 'project shop\nweb nginx:1 2\n',
    'README.md': '# ops\n',
  },
};

const SERVICES_TXT: FormatExamples = {
  valid: { 'services.txt': '# ops\nproject shop\nweb nginx:1 2\napi app:3 1\n', 'README.md': '# ops\n' },
  project: 'shop',
  broken: { 'services.txt': 'project shop\nweb nginx:1 two\n' },
  ownFile: 'services.txt',
  foreign: BOSUN_V1.valid,
};

const COMPOSE: FormatExamples = {
  valid: {
    'compose.yaml': 'name: shop\nservices:\n  web:\n    image: nginx:1\n    deploy: { replicas: 2 }\n',
    '.env': 'TAG=1\n',
    'README.md': '# ops\n',
  },
  project: 'shop',
  broken: { 'compose.yaml': 'name: shop\nservices:\n  web:\n    image: nginx:1\n    volumes: [./missing:/m]\n' },
  ownFile: 'compose.yaml',
  foreign: BOSUN_V1.valid,
};

const EXAMPLES: Record<string, FormatExamples> = { 'bosun/v1': BOSUN_V1, compose: COMPOSE };

describe('format contract: examples for every registered format', () => {
  for (const format of DEFAULT_FORMATS) {
    it(`${format.name} has contract examples (add them above when registering a format)`, () => {
      assert.ok(EXAMPLES[format.name], `no examples for ${format.name}`);
    });
  }
});

for (const format of DEFAULT_FORMATS) if (EXAMPLES[format.name]) formatContract(format, EXAMPLES[format.name]!);
formatContract(servicesTxt, SERVICES_TXT);

describe('format registry', () => {
  const tiny = artifact({ 'services.txt': 'project shop\nweb nginx:1 2\n' }, 'deploy');

  it('loads with the first format that recognises the artifact', () => {
    const desired = loadDesiredState(tiny, {}, [servicesTxt, ...DEFAULT_FORMATS]);
    assert.deepEqual(
      desired.services.map((s) => [s.name, s.image, s.replicas]),
      [['web', 'nginx:1', 2]],
    );
    assert.deepEqual(desired.locations, { 'Service/web': { file: 'deploy/services.txt', line: 2, col: 1 } });
    assert.equal(projectNameOf(tiny, [servicesTxt, ...DEFAULT_FORMATS]), 'shop');
    const both = artifact({ ...BOSUN_V1.valid, ...SERVICES_TXT.valid });
    assert.equal(formatOf(both, [servicesTxt, ...DEFAULT_FORMATS]), servicesTxt);
    assert.equal(formatOf(both, [...DEFAULT_FORMATS, servicesTxt]).name, 'bosun/v1');
  });

  it('judges an artifact no format recognises as bosun/v1, with the same messages as before', () => {
    assert.equal(formatOf(tiny).name, 'bosun/v1');
    assert.throws(() => loadDesiredState(tiny), {
      name: 'ManifestError',
      message: '1 manifest error:\n<root>:1:1 a Project manifest or --project is required',
    });
    assert.deepEqual(issuesOf({ 'ci.yaml': 'on: push\n' }, { noProject: true }), [
      '<root>:1:1 a Project manifest or --project is required',
    ]);
    assert.equal(loadDesiredState(tiny, { project: 'named' }).services.length, 0);
    assert.throws(() => projectNameOf(tiny), {
      code: 'E_USAGE',
      message: 'no Project manifest found in r/deploy: name the project with --project',
    });
  });

  it('bosun/v1 claims its documents however the YAML spells the key, and no other YAML', () => {
    const bosunV1 = DEFAULT_FORMATS.find((f) => f.name === 'bosun/v1')!;
    const recognises = (files: Files) => bosunV1.recognises(artifact(files));
    assert.equal(recognises({ 'a.yml': '{apiVersion: bosun/v1, kind: Project}' }), true);
    assert.equal(recognises({ 'a.yaml': '"apiVersion": "bosun/v2"\n' }), true, 'parse reports the unsupported version');
    assert.equal(
      recognises({ '.ci/a.yaml': 'apiVersion: bosun/v1\n' }),
      false,
      "dot-directories hold other tools' YAML",
    );
    assert.equal(recognises({ 'a.json': '{"apiVersion": "bosun/v1"}' }), false);
    assert.equal(recognises({ 'a.yaml': 'apiVersion: apps/v1\nimage: bosun/web\n' }), false);
    assert.equal(
      recognises({ 'a.yaml': 'image: bosun/web\n---\napiVersion: bosun/v1\n' }),
      true,
      'a later claim counts',
    );
    const unread = (path: string) => bosunV1.recognises({ ...artifact({}), skipped: [{ path, bytes: 11 << 20 }] });
    assert.equal(unread('big.yaml'), true, 'a YAML file too large to read may be a manifest');
    assert.equal(unread('.github/big.yaml'), false);
    assert.equal(unread('big.bin'), false);
  });
});
