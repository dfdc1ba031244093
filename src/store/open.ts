import { fileURLToPath } from 'node:url';
import { BosunError, Codes } from '../errors.ts';
import { EtcdKv } from './etcd/index.ts';
import type { KvStore } from '../ports.ts';
import { FileKv } from './file.ts';

/** One host needs nothing but Docker: state lives next to where bosun runs. */
export const DEFAULT_STATE_URL = 'file:.bosun/state';

/** A failed first read means etcd is down or elsewhere: better said at startup than mid-apply. */
const REACHABILITY_TIMEOUT_MS = 3_000;

const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

/**
 * `etcd://host:port[,host:port...]` (or `http://host:port`, as etcd itself prints it) or
 * `file:<path>` (relative to the working directory; `file:///abs` works too).
 */
export async function openStore(url: string): Promise<KvStore> {
  const endpoints = etcdEndpoints(url);
  if (endpoints) {
    const kv = new EtcdKv(endpoints);
    try {
      await kv.ping(REACHABILITY_TIMEOUT_MS);
    } catch (err) {
      await kv.close();
      throw err;
    }
    return kv;
  }
  const path = filePath(url);
  if (path !== undefined) return new FileKv(path);
  throw badUrl(url);
}

function etcdEndpoints(url: string): string[] | undefined {
  const match = /^(etcd|http):\/\/(.*?)\/?$/.exec(url);
  if (!match) return undefined;
  const [, scheme, rest = ''] = match;
  const endpoints = rest.split(',').map((e) => e.trim());
  // one http URL is one endpoint; the comma list is etcd:// syntax only
  const valid = endpoints.every((e) => HOST_PORT.test(e)) && (scheme === 'etcd' || endpoints.length === 1);
  if (!valid) throw badUrl(url);
  return endpoints;
}

/** Where the embedded store of `url` lives, or undefined for etcd (throws on a bad URL). */
export function embeddedStorePath(url: string): string | undefined {
  return etcdEndpoints(url) ? undefined : filePath(url);
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
  return new BosunError(Codes.storeUrl, `state url "${url}" is not etcd://host:port[,host:port] or file:<path>`);
}
