import { BosunError, Codes } from '../errors.ts';
import { EtcdKv } from './etcd/index.ts';
import { type EtcdAccess, loadEtcdAccess } from './etcd/access.ts';
import type { KvStore } from '../ports.ts';
import { FileKv } from './file.ts';
import { badUrl, etcdEndpoints, filePath } from './url.ts';

export { DEFAULT_STATE_URL, embeddedStorePath } from './url.ts';

/** A failed first read means etcd is down or elsewhere: better said at startup than mid-apply. */
const REACHABILITY_TIMEOUT_MS = 3_000;

/**
 * `etcd://host:port[,host:port...]` (or `http://host:port`, as etcd itself prints it), the same
 * over TLS as `etcds://…` (or `https://host:port`), or `file:<path>` (relative to the working
 * directory; `file:///abs` works too). `access` holds etcdctl-like TLS and user settings; given
 * with a file store, they are refused rather than ignored.
 */
export async function openStore(url: string, access: EtcdAccess = {}): Promise<KvStore> {
  const etcd = etcdEndpoints(url);
  if (etcd) {
    const { endpoints, secure } = etcd;
    const security = await loadEtcdAccess(access, secure);
    const kv = new EtcdKv(endpoints, { secure, security, access });
    try {
      await kv.ping(REACHABILITY_TIMEOUT_MS);
    } catch (err) {
      await kv.close();
      throw err;
    }
    return kv;
  }
  const path = filePath(url);
  if (path === undefined) throw badUrl(url);
  refuseEtcdSettings(url, access);
  return new FileKv(path);
}

function refuseEtcdSettings(url: string, access: EtcdAccess): void {
  const flags: [keyof EtcdAccess, string][] = [
    ['cacert', '--etcd-cacert'],
    ['cert', '--etcd-cert'],
    ['key', '--etcd-key'],
    ['user', '--etcd-user'],
    ['passwordFile', '--etcd-password-file'],
    ['password', 'BOSUN_ETCD_PASSWORD'],
  ];
  const given = flags.filter(([k]) => access[k] !== undefined).map(([, flag]) => flag);
  if (given.length === 0) return;
  const verb = given.length === 1 ? 'applies' : 'apply';
  throw new BosunError(Codes.usage, `${given.join(', ')} ${verb} only to an etcd state store, not ${url}`);
}
