/**
 * What a state URL names, read without opening it (and without loading a store's code): the
 * CLI asks where the embedded store and its key file live on verbs that never open a store.
 */
import { fileURLToPath } from 'node:url';
import { BosunError, Codes } from '../errors.ts';

/** One host needs nothing but Docker: state lives next to where bosun runs. */
export const DEFAULT_STATE_URL = 'file:.bosun/state';

const HOST_PORT = /^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;

export function etcdEndpoints(url: string): { endpoints: string[]; secure: boolean } | undefined {
  const match = /^(etcds?|https?):\/\/(.*?)\/?$/.exec(url);
  if (!match) return undefined;
  const [, scheme = '', rest = ''] = match;
  const endpoints = rest.split(',').map((e) => e.trim());
  // one http(s) URL is one endpoint; the comma list is etcd(s):// syntax only
  const valid = endpoints.every((e) => HOST_PORT.test(e)) && (scheme.startsWith('etcd') || endpoints.length === 1);
  if (!valid) throw badUrl(url);
  return { endpoints, secure: scheme === 'etcds' || scheme === 'https' };
}

/** Where the embedded store of `url` lives, or undefined for etcd (throws on a bad URL). */
export function embeddedStorePath(url: string): string | undefined {
  return etcdEndpoints(url) ? undefined : filePath(url);
}

export function filePath(url: string): string | undefined {
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

export function badUrl(url: string): BosunError {
  return new BosunError(
    Codes.storeUrl,
    `state url "${url}" is not etcd://host:port[,host:port], etcds://host:port[,host:port] or file:<path>`,
  );
}
