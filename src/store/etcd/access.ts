import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { BosunError, Codes } from '../../errors.ts';

/**
 * How bosun proves itself to etcd and checks that it talks to the right one, by etcdctl's names:
 * --cacert, --cert, --key (PEM files) and --user. The password is never a flag value (it would
 * show in `ps`): it comes from the environment or from a file.
 */
export interface EtcdAccess {
  cacert?: string;
  cert?: string;
  key?: string;
  user?: string;
  password?: string;
  passwordFile?: string;
}

/** What the etcd client is built with; the file contents, read and checked. */
export interface EtcdSecurity {
  /** `certNotAfter`: when the client certificate expires, to say so if etcd refuses it later */
  tls?: { ca?: Buffer; cert?: Buffer; key?: Buffer; certNotAfter?: Date };
  auth?: { username: string; password: string };
}

/** The TLS settings of `access`, by flag name, for messages. */
export const TLS_FLAGS = { cacert: '--etcd-cacert', cert: '--etcd-cert', key: '--etcd-key' } as const;

export function usesTls(access: EtcdAccess): boolean {
  return Boolean(access.cacert || access.cert || access.key);
}

export function usesAuth(access: EtcdAccess): boolean {
  return Boolean(access.user || access.password !== undefined || access.passwordFile);
}

const tlsError = (message: string, cause?: unknown) => new BosunError(Codes.storeTls, message, { cause });
const authError = (message: string, cause?: unknown) => new BosunError(Codes.storeAuth, message, { cause });

/**
 * Reads and checks every file before the first connection, so a wrong path, a key that does not
 * match its certificate or an expired client certificate is named as such, not as the TLS alert
 * etcd would answer with. `secure` is whether the endpoints are https.
 */
export async function loadEtcdAccess(access: EtcdAccess, secure: boolean, now = new Date()): Promise<EtcdSecurity> {
  const security: EtcdSecurity = {};
  if (usesTls(access) && !secure) {
    const flag = (Object.keys(TLS_FLAGS) as (keyof typeof TLS_FLAGS)[]).find((k) => access[k]);
    throw tlsError(`${TLS_FLAGS[flag ?? 'cacert']} needs TLS: write the state url as etcds://host:port[,host:port]`);
  }
  if (secure) security.tls = await loadTls(access, now);
  const auth = await loadAuth(access);
  if (auth) security.auth = auth;
  return security;
}

async function loadTls(access: EtcdAccess, now: Date): Promise<EtcdSecurity['tls']> {
  if (Boolean(access.cert) !== Boolean(access.key)) {
    throw tlsError(access.cert ? '--etcd-cert needs --etcd-key' : '--etcd-key needs --etcd-cert');
  }
  const tls: NonNullable<EtcdSecurity['tls']> = {};
  if (access.cacert) {
    tls.ca = await readPem('cacert', access.cacert);
    certificate('cacert', access.cacert, tls.ca);
  }
  if (access.cert && access.key) {
    tls.cert = await readPem('cert', access.cert);
    tls.key = await readPem('key', access.key);
    const cert = certificate('cert', access.cert, tls.cert);
    checkClientCertificate(access.cert, cert, access.key, tls.key, now);
    tls.certNotAfter = new Date(cert.validTo);
  }
  return tls;
}

async function readPem(flag: keyof typeof TLS_FLAGS, path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw tlsError(`cannot read ${TLS_FLAGS[flag]} ${path}: ${fileProblem(err)}`, err);
  }
}

function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return (err as Error).message;
}

function certificate(flag: 'cacert' | 'cert', path: string, pem: Buffer): X509Certificate {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    throw tlsError(`${TLS_FLAGS[flag]} ${path} is not a PEM certificate`, err);
  }
}

function checkClientCertificate(certPath: string, cert: X509Certificate, keyPath: string, pem: Buffer, now: Date) {
  const notAfter = new Date(cert.validTo);
  const notBefore = new Date(cert.validFrom);
  if (notAfter < now) {
    throw tlsError(`client certificate --etcd-cert ${certPath} expired on ${notAfter.toISOString()}`);
  }
  if (notBefore > now) {
    throw tlsError(`client certificate --etcd-cert ${certPath} is not valid before ${notBefore.toISOString()}`);
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch (err) {
    throw tlsError(`--etcd-key ${keyPath} is not an unencrypted PEM private key`, err);
  }
  if (!cert.checkPrivateKey(key)) throw tlsError(`--etcd-key ${keyPath} is not the key of --etcd-cert ${certPath}`);
}

async function loadAuth(access: EtcdAccess): Promise<EtcdSecurity['auth']> {
  if (!usesAuth(access)) return undefined;
  if (!access.user) {
    throw authError('a password for etcd was given (BOSUN_ETCD_PASSWORD or --etcd-password-file) but no --etcd-user');
  }
  if (access.user.includes(':')) {
    throw authError(
      '--etcd-user takes a user name only: the password comes from BOSUN_ETCD_PASSWORD or --etcd-password-file, never a flag (it would show in ps)',
    );
  }
  const password = access.passwordFile ? await readPassword(access.passwordFile) : access.password;
  if (password === undefined || password === '') {
    throw authError(`--etcd-user ${access.user} needs a password: set BOSUN_ETCD_PASSWORD or --etcd-password-file`);
  }
  return { username: access.user, password };
}

/** Without its trailing newline: editors and `echo` add one that is not part of the password. */
async function readPassword(path: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw authError(`cannot read --etcd-password-file ${path}: ${fileProblem(err)}`, err);
  }
  return text.replace(/\r?\n$/, '');
}
