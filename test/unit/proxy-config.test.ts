import { strict as assert } from 'node:assert';
import type { BosunError } from '../../src/errors.ts';
import { backendsOf, type ProjectView, renderHaproxy } from '../../src/proxy/config.ts';
import { parseRoutes } from '../../src/proxy/routes.ts';
import { viewOf } from '../../src/proxy/view.ts';

const ep = (replica: number, port: number, id: string) => ({
  service: 'web',
  replica,
  host: '127.0.0.1',
  port,
  container: `shop-web-${replica}`,
  id,
});

describe('bosun proxy: routes', () => {
  it('reads [project/]service=[host:]port, the project from --project, the host 127.0.0.1', () => {
    assert.deepEqual(parseRoutes(['web=18080', 'other/api=0.0.0.0:9000'], 'shop'), [
      { project: 'shop', service: 'web', host: '127.0.0.1', port: 18080 },
      { project: 'other', service: 'api', host: '0.0.0.0', port: 9000 },
    ]);
  });

  it('reports every bad spec at once', () => {
    assert.throws(
      () => parseRoutes(['web', 'api=99999', 'db=5432', 'x/web=127.0.0.1:18080', 'y/web=18080'], undefined),
      (err: BosunError) => {
        assert.equal(err.code, 'E_USAGE');
        assert.equal(
          err.message,
          [
            '--listen "web": expected [project/]service=[host:]port with a port 1-65535',
            '--listen "api=99999": expected [project/]service=[host:]port with a port 1-65535',
            '--listen "db=5432": no project: write project/service= or give --project',
            '--listen: 127.0.0.1:18080 is given twice',
          ].join('\n'),
        );
        return true;
      },
    );
    assert.throws(() => parseRoutes([], 'shop'), /at least one --listen/);
  });
});

describe('bosun proxy: the view and the rendered haproxy.cfg', () => {
  const route = { project: 'shop', service: 'web', host: '127.0.0.1', port: 18080 };

  it('reads endpoints and drain markers, and skips values that are not endpoints', () => {
    const keys = new Map([
      [
        '/bosun/shop/endpoints/web/1',
        JSON.stringify({ host: '127.0.0.1', port: 4001, container: 'shop-web-1', id: 'a' }),
      ],
      ['/bosun/shop/endpoints/web/2', JSON.stringify({ host: '127.0.0.1\n  server evil', port: 4002 })],
      ['/bosun/shop/endpoints/web/x', '{}'],
      ['/bosun/shop/draining/a', '{}'],
    ]);
    const { view, skipped } = viewOf('shop', keys);
    assert.deepEqual(view.endpoints, [ep(1, 4001, 'a')]);
    assert.deepEqual([...view.draining], ['a']);
    assert.deepEqual(skipped, ['/bosun/shop/endpoints/web/2', '/bosun/shop/endpoints/web/x']);
  });

  it('leaves out a draining replica, unless every replica of the service is draining', () => {
    const endpoints = [ep(2, 4002, 'b'), ep(1, 4001, 'a'), { ...ep(1, 5000, 'c'), service: 'api' }];
    const view = (draining: string[]): ProjectView => ({ endpoints, draining: new Set(draining) });
    assert.deepEqual(
      backendsOf(route, view([])).map((e) => e.id),
      ['a', 'b'],
    );
    assert.deepEqual(
      backendsOf(route, view(['a'])).map((e) => e.id),
      ['b'],
    );
    assert.deepEqual(
      backendsOf(route, view(['a', 'b'])).map((e) => e.id),
      ['a', 'b'],
    );
    assert.deepEqual(backendsOf(route, undefined), []);
  });

  it('renders one listen section per route, servers named by replica and address', () => {
    const views = new Map([['shop', { endpoints: [ep(1, 4001, 'a'), ep(2, 4002, 'b')], draining: new Set(['b']) }]]);
    const text = renderHaproxy([route], views, { runDir: '/run/p', mode: 'http' });
    assert.equal(
      text,
      [
        '# rendered by bosun proxy: do not edit, it is rewritten on every endpoint change',
        'global',
        '  stats socket /run/p/admin.sock mode 600 level admin expose-fd listeners',
        '',
        'defaults',
        '  mode http',
        '  timeout connect 2s',
        '  timeout client 60s',
        '  timeout server 60s',
        '  retries 3',
        '  option redispatch 1',
        '  retry-on conn-failure empty-response response-timeout',
        '',
        'listen shop.web.18080',
        '  bind 127.0.0.1:18080',
        '  balance roundrobin',
        '  server web-1-127.0.0.1-4001 127.0.0.1:4001 check inter 1s',
        '',
      ].join('\n'),
    );
    // a successor renamed in place keeps its address: the same text, no reload
    const renamed = new Map([
      ['shop', { endpoints: [{ ...ep(1, 4001, 'a'), container: 'x' }], draining: new Set<string>() }],
    ]);
    assert.equal(renderHaproxy([route], renamed, { runDir: '/run/p', mode: 'http' }), text);
  });
});
