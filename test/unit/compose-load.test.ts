import { strict as assert } from 'node:assert';
import { loadStack, stackIssues, yaml } from '../fixtures/compose.ts';

const F = 'stacks/shop/compose.yaml';
const O = 'stacks/shop/compose.override.yaml';

describe('compose loader: files and merging', () => {
  it('reads compose.yaml and merges compose.override.yaml over it by compose rules', () => {
    const loaded = loadStack({
      'compose.yaml': yaml(
        'services:',
        '  web:',
        '    image: nginx:1.27',
        '    command: [httpd, -f]',
        '    ports: ["80:80"]',
        '    environment: { A: "1", B: "2" }',
        '    volumes: [data:/data, ./conf:/etc/conf:ro]',
        '    labels: [team=shop]',
        '    healthcheck: { test: [CMD, wget, x], interval: 5s }',
        'volumes:',
        '  data: {}',
      ),
      'compose.override.yaml': yaml(
        'services:',
        '  web:',
        '    image: nginx:1.28',
        '    command: [httpd]',
        '    ports: ["81:81", "80:80"]',
        '    environment: { B: "3", C: "4" }',
        '    volumes: [{ type: volume, source: other, target: /data }]',
        '    labels: { tier: front }',
        '    healthcheck: { test: [CMD, "true"] }',
        'volumes:',
        '  other: {}',
      ),
    });
    assert.deepEqual(loaded.files, [F, O]);
    assert.equal(loaded.dir, 'stacks/shop');
    assert.deepEqual(loaded.model.services.web, {
      image: 'nginx:1.28',
      command: ['httpd'],
      ports: ['80:80', '81:81'],
      environment: { A: '1', B: '3', C: '4' },
      volumes: [{ type: 'volume', source: 'other', target: '/data' }, './conf:/etc/conf:ro'],
      labels: ['team=shop', 'tier=front'],
      healthcheck: { test: ['CMD', 'true'], interval: '5s' },
    });
    assert.deepEqual(loaded.model.volumes, { data: {}, other: {} });
    assert.deepEqual(loaded.locate(['services', 'web', 'image']), {
      file: O,
      line: 3,
      col: 12,
      path: 'services.web.image',
    });
    assert.deepEqual(loaded.locate(['services', 'web', 'volumes', 0]), {
      file: O,
      line: 7,
      col: 15,
      path: 'services.web.volumes[0]',
    });
    assert.deepEqual(loaded.locate(['services', 'web', 'volumes', 1]), {
      file: F,
      line: 7,
      col: 27,
      path: 'services.web.volumes[1]',
    });
  });

  it('locates an error in a merged value at the file that set it', () => {
    const issues = stackIssues({
      'compose.yaml': yaml('services:', '  web:', '    image: app:1', '    replicas: 2'),
      'compose.override.yaml': yaml('services:', '  web:', '    restart: sometimes'),
    });
    assert.deepEqual(issues, [
      `${O}:3:14 services.web.restart: must be no, always, unless-stopped, on-failure or on-failure:N`,
      `${F}:4:5 services.web.replicas: unknown field "replicas"`,
    ]);
  });
});
