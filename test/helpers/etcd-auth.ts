/**
 * Turns on etcd's authentication the way an operator does with etcdctl (user add root, user
 * grant-role root root, role add, role grant-permission --prefix, auth enable), through the etcd3
 * client's auth API so the tests need no etcdctl.
 */
import { randomBytes } from 'node:crypto';
import { Range } from 'etcd3';
import { EtcdKv } from '../../src/store/etcd/index.ts';
import { openStore } from '../../src/store/open.ts';

/** Where the restricted user may read and write: bosun's own records and the tests' key prefixes. */
export const RESTRICTED_PREFIXES = ['/bosun/', '/bosun-test-', '/t-etcdtls-'] as const;

export interface Users {
  root: { user: string; password: string };
  restricted: { user: string; password: string };
  /** may use only /t-etcdtls-…, not bosun's own /bosun/ */
  outsider: { user: string; password: string };
}

/** `url` is etcds://host:port of a server with auth still off; `cacert` the CA of its certificate. */
export async function enableAuth(url: string, opts: { cacert: string }): Promise<Users> {
  const users: Users = {
    root: { user: 'root', password: randomBytes(12).toString('hex') },
    restricted: { user: 'etcdtls-bosun', password: randomBytes(12).toString('hex') },
    outsider: { user: 'etcdtls-outsider', password: randomBytes(12).toString('hex') },
  };
  const kv = await openStore(url, { cacert: opts.cacert });
  if (!(kv instanceof EtcdKv)) throw new Error(`${url} is not etcd`);
  const client = kv.etcd;
  try {
    await client.user(users.root.user).create(users.root.password);
    await client.user(users.root.user).addRole('root');
    const role = client.role('etcdtls-bosun-rw');
    await role.create();
    await role.grant(RESTRICTED_PREFIXES.map((p) => ({ permission: 'Readwrite' as const, range: Range.prefix(p) })));
    await client.user(users.restricted.user).create(users.restricted.password);
    await client.user(users.restricted.user).addRole(role);
    const narrow = client.role('etcdtls-outsider-rw');
    await narrow.create();
    await narrow.grant({ permission: 'Readwrite', range: Range.prefix('/t-etcdtls-') });
    await client.user(users.outsider.user).create(users.outsider.password);
    await client.user(users.outsider.user).addRole(narrow);
    await client.auth.authEnable();
  } finally {
    await kv.close();
  }
  return users;
}
