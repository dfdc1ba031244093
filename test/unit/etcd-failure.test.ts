/**
 * The messages grpc-js 1.14 and etcd 3.4 give (recorded against real servers, see
 * test/integration/etcd-secure.test.ts), each mapped to the one line that names what to fix.
 */
import { strict as assert } from 'node:assert';
import { etcdAccess } from '../../src/cli/context.ts';
import { describeEtcdFailure, type FailureContext, securityFailure } from '../../src/store/etcd/failure.ts';

const unavailable = (last: string) =>
  new Error(`14 UNAVAILABLE: No connection established. Last error: ${last}. Resolution note: `);
const alert = (name: string, n: number) =>
  unavailable(
    `80DCE28F317F0000:error:0A000412:SSL routines:ssl3_read_bytes:sslv3 alert ${name}:../deps/openssl/openssl/ssl/record/rec_layer_s3.c:1601:SSL alert number ${n}\n (2026-12-01T23:32:55.595Z)`,
  );
class EtcdPermissionDeniedError extends Error {}

const tls: FailureContext = {
  endpoints: ['127.0.0.1:23791'],
  secure: true,
  access: { cacert: '/ca.pem', cert: '/c.pem', key: '/c.key' },
};
const plain: FailureContext = { endpoints: ['10.0.0.1:2379'], secure: false, access: { user: 'bosun' } };

describe('etcd failures: TLS and authentication, each its own line', () => {
  const cases: [string, Error, FailureContext, string | undefined][] = [
    [
      'wrong CA',
      unavailable('Error: unable to verify the first certificate'),
      tls,
      'E_STORE_TLS etcd at 127.0.0.1:23791: server certificate not trusted by --etcd-cacert /ca.pem: unable to verify the first certificate',
    ],
    [
      'client certificate refused',
      alert('bad certificate', 42),
      tls,
      'E_STORE_TLS etcd at 127.0.0.1:23791: refused the client certificate --etcd-cert /c.pem (TLS alert: bad certificate): is it signed by a CA etcd trusts?',
    ],
    [
      'client certificate required, none given',
      alert('certificate required', 116),
      { ...tls, access: { cacert: '/ca.pem' } },
      'E_STORE_TLS etcd at 127.0.0.1:23791: requires a client certificate (TLS alert: certificate required): give --etcd-cert and --etcd-key',
    ],
    [
      'client certificate expired since it was loaded',
      alert('bad certificate', 42),
      { ...tls, certNotAfter: new Date('2020-01-02T00:00:00Z') },
      'E_STORE_TLS etcd at 127.0.0.1:23791: refused the client certificate --etcd-cert /c.pem: it expired on 2020-01-02T00:00:00.000Z',
    ],
    [
      'TLS to a plaintext etcd',
      unavailable('Error: Client network socket disconnected before secure TLS connection was established'),
      tls,
      'E_STORE_TLS etcd at 127.0.0.1:23791: does not speak TLS: write the state url as etcd://host:port',
    ],
    [
      'wrong password',
      new Error('3 INVALID_ARGUMENT: etcdserver: authentication failed, invalid user ID or password'),
      plain,
      'E_STORE_AUTH etcd at 10.0.0.1:2379: authentication failed for user bosun: wrong user name or password',
    ],
    [
      'permission denied',
      new EtcdPermissionDeniedError('7 PERMISSION_DENIED: etcdserver: permission denied'),
      plain,
      'E_STORE_AUTH etcd at 10.0.0.1:2379: user bosun may not write /x (permission denied)',
    ],
    ['a refused connection is not a security failure', unavailable('Error: connect ECONNREFUSED'), tls, undefined],
    ['a TLS message on a plaintext connection is not taken for TLS', alert('bad certificate', 42), plain, undefined],
  ];
  for (const [name, err, ctx, expected] of cases) {
    it(name, () => {
      const got = securityFailure(err, ctx, 'write /x');
      assert.equal(got && `${got.code} ${got.message}`, expected);
      if (got) assert.equal(got.disposition, 'stalled');
    });
  }

  it('says what a plaintext client closed by a TLS etcd should try', () => {
    assert.equal(
      describeEtcdFailure(unavailable('Failed to connect (2026-12-01T23:32:55.642Z)'), 3000, false),
      'the connection was closed as it opened (if etcd uses TLS, write the state url as etcds://host:port)',
    );
    assert.equal(
      describeEtcdFailure(unavailable('Error: connect ECONNREFUSED 127.0.0.1:1'), 3000, false),
      'connection refused',
    );
  });
});

describe('etcd settings from flags and environment', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const k of Object.keys(process.env)) if (k.startsWith('BOSUN_ETCD_')) delete process.env[k];
    Object.assign(process.env, saved);
  });

  it('prefers a flag to its variable, ignores empty variables, and takes the password only from the environment', () => {
    Object.assign(process.env, {
      BOSUN_ETCD_CACERT: '/env/ca.pem',
      BOSUN_ETCD_CERT: '',
      BOSUN_ETCD_USER: 'env-user',
      BOSUN_ETCD_PASSWORD: 'pw',
    });
    assert.deepEqual(etcdAccess({ etcdCacert: '/flag/ca.pem', etcdKey: '/flag/k.pem' }), {
      cacert: '/flag/ca.pem',
      key: '/flag/k.pem',
      user: 'env-user',
      password: 'pw',
    });
  });
});
