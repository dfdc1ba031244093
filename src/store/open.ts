import { fileURLToPath } from 'node:url';
import { BosunError, Codes } from '../errors.ts';
import { EtcdKv } from './etcd/index.ts';
import { type EtcdAccess, loadEtcdAccess } from './etcd/access.ts';
import type { KvStore } from '../ports.ts';
import { FileKv } from './file.ts';

/** One host needs nothing but Docker: state lives next to where bosun runs. */
export const DEFAULT_STATE_URL = 'file:.bosun/state';

/** A failed first read means etcd is down or elsewhere: better said at startup than mid-apply. */
const REACHABILITY_TIMEOUT_MS = 3_000;

const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

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

function etcdEndpoints(url: string): { endpoints: string[]; secure: boolean } | undefined {
  const match = /^(etcds?|https?):\/\/(.*?)\/?$/.exec(url);
  if (!match) return undefined;
  const [, scheme = '', rest = ''] = match;
  const endpoints = rest.split(',').map((e) => e.trim());
  // one http(s) URL is one endpoint; the comma list is etcd(s):// syntax only
  const valid = endpoints.every((e) => HOST_PORT.test(e)) && (scheme.startsWith('etcd') || endpoints.length === 1);
  if (!valid) throw badUrl(url);
  return { endpoints, secure: scheme === 'etcds' || scheme === 'https' };
}

function filePath(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  if (url.startsWith('file://')) {
    try {
      return fileURLToPath(url);
    } catch {
      throw badUrl(url);
    }
  }
  const path = url.slice('file:'.length);
  if (path.trim() === '') throw badUrl(url);
  return path;
}

function badUrl(url: string): BosunError {
  return new BosunError(
    Codes.storeUrl,
    `state url "${url}" is not etcd://host:port[,host:port], etcds://host:port[,host:port] or file:<path>`,
  );
}
