/**
 * Each way reaching a secured etcd can go wrong gives its own one-line error, against real etcd
 * servers: one requiring client certificates, one with authentication and a restricted user.
 */
import { strict as assert } from 'node:assert';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KvStore } from '../../src/ports.ts';
import type { EtcdAccess } from '../../src/store/etcd/access.ts';
import { EtcdKv } from '../../src/store/etcd/index.ts';
import { openStore } from '../../src/store/open.ts';
import { ETCD_URL, requireEtcd } from '../helpers/etcd.ts';
import { secureEtcds, type SecureEtcds } from '../helpers/etcd-secure.ts';
import { rejectsWithCode } from '../helpers/store-contract.ts';

/** The error, checked to be one line with exactly this text. */
async function refused(url: string, access: EtcdAccess, code: string, message: string): Promise<void> {
  const err = await rejectsWithCode(openStore(url, access), code);
  assert.equal(err.message, message);
  assert.equal(err.disposition, code === 'E_STORE_UNREACHABLE' ? 'retry' : 'stalled');
}

describe('etcd over TLS with client certificates: each refusal says which', function () {
  this.timeout(60_000);
  let e: SecureEtcds;
  let where: string;
  before(async () => {
    e = await secureEtcds();
    where = `etcd at ${e.mtls.url.replace('etcds://', '')}`;
  });

  it('connects with the CA, a client certificate and its key', async () => {
    const kv = await openStore(e.mtls.url, e.mtls.access);
    const key = `/t-etcdtls-${randomBytes(4).toString('hex')}`;
    await kv.put(key, 'v');
    assert.equal((await kv.get(key))?.value, 'v');
    await kv.delete(key);
    await kv.close();
  });

  it('a wrong CA, or none: the server certificate is not trusted', async () => {
    const { pki } = e;
    const why = 'unable to verify the first certificate';
    await refused(
      e.mtls.url,
      { ...e.mtls.access, cacert: pki.otherCa },
      'E_STORE_TLS',
      `${where}: server certificate not trusted by --etcd-cacert ${pki.otherCa}: ${why}`,
    );
    await refused(
      e.mtls.url,
      { ...pki.client },
      'E_STORE_TLS',
      `${where}: server certificate not trusted by the system's CAs (give --etcd-cacert): ${why}`,
    );
  });

  it('no client certificate, or one from a CA etcd does not trust: refused by etcd', async () => {
    const { pki } = e;
    await refused(
      e.mtls.url,
      { cacert: pki.ca },
      'E_STORE_TLS',
      `${where}: requires a client certificate (TLS alert: bad certificate): give --etcd-cert and --etcd-key`,
    );
    await refused(
      e.mtls.url,
      { cacert: pki.ca, ...pki.otherClient },
      'E_STORE_TLS',
      `${where}: refused the client certificate --etcd-cert ${pki.otherClient.cert} (TLS alert: bad certificate): is it signed by a CA etcd trusts?`,
    );
  });

  it('an expired client certificate, or a key that is not its own: refused before connecting', async () => {
    const { pki } = e;
    await refused(
      e.mtls.url,
      { cacert: pki.ca, ...pki.expiredClient },
      'E_STORE_TLS',
      `client certificate --etcd-cert ${pki.expiredClient.cert} expired on 2020-01-02T00:00:00.000Z`,
    );
    // one that expires while a controller runs reaches etcd, which refuses it: still said as such
    const [ca, cert, key] = await Promise.all(
      [pki.ca, pki.expiredClient.cert, pki.expiredClient.key].map((f) => readFile(f)),
    );
    const certNotAfter = new Date('2020-01-02T00:00:00Z');
    const access = { cacert: pki.ca, ...pki.expiredClient };
    const kv = new EtcdKv([e.mtls.url.replace('etcds://', '')], {
      secure: true,
      security: { tls: { ca, cert, key, certNotAfter } },
      access,
    });
    const err = await rejectsWithCode(kv.ping(), 'E_STORE_TLS');
    await kv.close();
    assert.equal(
      err.message,
      `${where}: refused the client certificate --etcd-cert ${pki.expiredClient.cert}: it expired on 2020-01-02T00:00:00.000Z`,
    );
    await refused(
      e.mtls.url,
      { cacert: pki.ca, cert: pki.client.cert, key: pki.otherClient.key },
      'E_STORE_TLS',
      `--etcd-key ${pki.otherClient.key} is not the key of --etcd-cert ${pki.client.cert}`,
    );
  });

  it('missing, unreadable or wrong files, and half a key pair', async () => {
    const { pki } = e;
    const url = e.mtls.url;
    await refused(
      url,
      { cacert: '/nonexistent/ca.pem' },
      'E_STORE_TLS',
      'cannot read --etcd-cacert /nonexistent/ca.pem: no such file',
    );
    await refused(url, { cacert: tmpdir() }, 'E_STORE_TLS', `cannot read --etcd-cacert ${tmpdir()}: it is a directory`);
    await refused(
      url,
      { cacert: pki.client.key },
      'E_STORE_TLS',
      `--etcd-cacert ${pki.client.key} is not a PEM certificate`,
    );
    await refused(url, { cacert: pki.ca, cert: pki.client.cert }, 'E_STORE_TLS', '--etcd-cert needs --etcd-key');
    await refused(url, { cacert: pki.ca, key: pki.client.key }, 'E_STORE_TLS', '--etcd-key needs --etcd-cert');
  });

  it('TLS settings with a plaintext url or a file store; TLS to a plaintext etcd; plaintext to a TLS one', async () => {
    const { pki } = e;
    await refused(
      e.mtls.url.replace('etcds:', 'etcd:'),
      e.mtls.access,
      'E_STORE_TLS',
      '--etcd-cacert needs TLS: write the state url as etcds://host:port[,host:port]',
    );
    await refused(
      'file:/tmp/etcdtls-never-created',
      { cacert: pki.ca, user: 'u' },
      'E_USAGE',
      '--etcd-cacert, --etcd-user apply only to an etcd state store, not file:/tmp/etcdtls-never-created',
    );
    await requireEtcd();
    const plain = ETCD_URL.replace('etcd://', '').split(',')[0]!;
    await refused(
      `etcds://${plain}`,
      { cacert: pki.ca },
      'E_STORE_TLS',
      `etcd at ${plain}: does not speak TLS: write the state url as etcd://host:port`,
    );
    await refused(
      e.mtls.url.replace('etcds:', 'etcd:'),
      {},
      'E_STORE_UNREACHABLE',
      `cannot reach ${where}: the connection was closed as it opened (if etcd uses TLS, write the state url as etcds://host:port)`,
    );
  });
});

describe('etcd with authentication: each refusal says which', function () {
  this.timeout(60_000);
  let e: SecureEtcds;
  let where: string;
  let dir: string;
  let root: KvStore | undefined;
  before(async () => {
    e = await secureEtcds();
    where = `etcd at ${e.auth.url.replace('etcds://', '')}`;
    dir = await mkdtemp(join(tmpdir(), 'bosun-etcdtls-auth-'));
  });
  after(async () => {
    await root?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('reads the password from a file, without its trailing newline', async () => {
    const file = join(dir, 'password');
    await writeFile(file, `${e.auth.access.password}\n`, { mode: 0o600 });
    const kv = await openStore(e.auth.url, { ...e.auth.access, password: undefined, passwordFile: file });
    const key = `/bosun/etcdtls-${randomBytes(4).toString('hex')}`;
    await kv.put(key, 'v');
    assert.equal((await kv.get(key))?.value, 'v');
    await kv.delete(key);
    await kv.close();
  });

  it('a wrong password, an unknown user, or no user at all', async () => {
    const { cacert, user } = e.auth.access;
    const wrong = `${where}: authentication failed for user ${user}: wrong user name or password`;
    await refused(e.auth.url, { cacert, user, password: 'not-it' }, 'E_STORE_AUTH', wrong);
    await refused(
      e.auth.url,
      { cacert, user: 'etcdtls-nobody', password: 'x' },
      'E_STORE_AUTH',
      `${where}: authentication failed for user etcdtls-nobody: wrong user name or password`,
    );
    await refused(
      e.auth.url,
      { cacert },
      'E_STORE_AUTH',
      `${where}: requires a user: give --etcd-user, and its password in BOSUN_ETCD_PASSWORD or --etcd-password-file`,
    );
  });

  it('a user without a password, a password in the user name, a password without a user, a missing password file', async () => {
    const { cacert, user } = e.auth.access;
    const url = e.auth.url;
    await refused(
      url,
      { cacert, user },
      'E_STORE_AUTH',
      `--etcd-user ${user} needs a password: set BOSUN_ETCD_PASSWORD or --etcd-password-file`,
    );
    await refused(
      url,
      { cacert, user: `${user}:secret` },
      'E_STORE_AUTH',
      '--etcd-user takes a user name only: the password comes from BOSUN_ETCD_PASSWORD or --etcd-password-file, never a flag (it would show in ps)',
    );
    await refused(
      url,
      { cacert, password: 'p' },
      'E_STORE_AUTH',
      'a password for etcd was given (BOSUN_ETCD_PASSWORD or --etcd-password-file) but no --etcd-user',
    );
    await refused(
      url,
      { cacert, user, passwordFile: join(dir, 'missing') },
      'E_STORE_AUTH',
      `cannot read --etcd-password-file ${join(dir, 'missing')}: no such file`,
    );
  });

  it('a user given to an etcd without authentication', async () => {
    await requireEtcd();
    const plain = ETCD_URL.replace('etcd://', '').split(',')[0]!;
    await refused(
      `etcd://${plain}`,
      { user: 'someone', password: 'p' },
      'E_STORE_AUTH',
      `etcd at ${plain}: has authentication disabled, but --etcd-user someone was given: enable it, or drop --etcd-user`,
    );
  });

  it('a user without permission on /bosun/: refused when the store opens', async () => {
    const { user } = e.auth.outsider;
    await refused(
      e.auth.url,
      e.auth.outsider,
      'E_STORE_AUTH',
      `${where}: user ${user} may not read /bosun/ (permission denied)`,
    );
  });

  it('the restricted user outside its prefixes: permission denied, nothing written', async () => {
    const kv = await openStore(e.auth.url, e.auth.access);
    const key = `/etcdtls-outside-${randomBytes(4).toString('hex')}/x`;
    const user = e.auth.access.user;
    try {
      const write = await rejectsWithCode(kv.put(key, 'forbidden'), 'E_STORE_AUTH');
      assert.equal(write.message, `${where}: user ${user} may not write ${key} (permission denied)`);
      const read = await rejectsWithCode(kv.get(key), 'E_STORE_AUTH');
      assert.equal(read.message, `${where}: user ${user} may not read ${key} (permission denied)`);
      await rejectsWithCode(kv.putIf(key, 'forbidden', null), 'E_STORE_AUTH');
    } finally {
      await kv.close();
    }
    root = await openStore(e.auth.url, e.auth.root);
    assert.equal(await root.get(key), undefined);
    assert.deepEqual(
      e.auth.prefixes.some((p) => key.startsWith(p)),
      false,
    );
  });
});
