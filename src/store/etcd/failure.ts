import { BosunError, Codes } from '../../errors.ts';
import type { EtcdAccess } from './access.ts';

/** What a failure message needs to know about the connection: where, and with which settings. */
export interface FailureContext {
  endpoints: string[];
  secure: boolean;
  access: EtcdAccess;
  /** when the client certificate expires: a long-running controller may outlive it */
  certNotAfter?: Date;
}

/** grpc-js says "14 UNAVAILABLE: No connection established. Last error: Error: <why>. Resolution note: ". */
function lastError(message: string): string {
  const firstLine = message.split('\n')[0] ?? '';
  const why = /Last error: (?:Error: )?(.*?)(?: \(\d{4}-\d\d-\d\dT[^)]*\))?\.?(?: Resolution note:.*)?$/.exec(
    firstLine,
  )?.[1];
  return (why ?? firstLine.replace(/^\d+ [A-Z_]+: /, '').replace(/\.? Resolution note:.*$/, '')).trim();
}

/** Short, stable reason for a failed call, e.g. "connection refused". */
export function describeEtcdFailure(err: unknown, timeoutMs: number, deadline: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  if (/ECONNREFUSED/.test(message)) return 'connection refused';
  if (/Name resolution failed|ENOTFOUND|EAI_AGAIN/.test(message)) return 'host not found';
  if (/EHOSTUNREACH|ENETUNREACH/.test(message)) return 'host unreachable';
  if (deadline || /DEADLINE_EXCEEDED|ETIMEDOUT/.test(message)) return `no answer within ${timeoutMs / 1000} s`;
  // a plaintext client closed by a TLS server: grpc-js says no more than this
  if (/Last error: Failed to connect/.test(message)) {
    return 'the connection was closed as it opened (if etcd uses TLS, write the state url as etcds://host:port)';
  }
  return lastError(message);
}

const SERVER_NOT_TRUSTED =
  /unable to verify|self[- ]signed certificate|unable to get (?:local )?issuer|certificate verify failed|certificate has expired|certificate is not yet valid|ERR_TLS_CERT_ALTNAME_INVALID|does not match certificate's altnames/i;
/** A TLS alert from the server about our certificate: OpenSSL names it "bad certificate" (42) and kin. */
const CLIENT_REFUSED =
  /alert (?:bad certificate|certificate required|unknown ca|certificate expired|certificate unknown)/i;
const NOT_TLS = /before secure TLS connection was established|wrong version number|packet length too long/i;

/**
 * A failure caused by TLS or by etcd's authentication, as the one-line error that names which
 * setting to fix; undefined for anything else (unreachable etcd, bugs). etcd answers every
 * refused client certificate with the same TLS alert, so which one it was is said from what
 * bosun sent (none, which file, expired since it was loaded); loadEtcdAccess refuses one already expired.
 */
export function securityFailure(err: unknown, ctx: FailureContext, what: string): BosunError | undefined {
  const message = err instanceof Error ? err.message : String(err);
  const name = err instanceof Error ? err.constructor.name : '';
  const where = `etcd at ${ctx.endpoints.join(',')}`;
  const { cacert, cert, user } = ctx.access;
  const tls = (text: string) => new BosunError(Codes.storeTls, `${where}: ${text}`, { cause: err });
  const auth = (text: string) => new BosunError(Codes.storeAuth, `${where}: ${text}`, { cause: err });
  if (ctx.secure && SERVER_NOT_TRUSTED.test(message)) {
    const by = cacert ? `--etcd-cacert ${cacert}` : "the system's CAs (give --etcd-cacert)";
    return tls(`server certificate not trusted by ${by}: ${lastError(message)}`);
  }
  if (ctx.secure && CLIENT_REFUSED.test(message)) {
    const alert = /alert ([a-z ]+)/i.exec(message)?.[1]?.trim() ?? 'bad certificate';
    if (!cert) return tls(`requires a client certificate (TLS alert: ${alert}): give --etcd-cert and --etcd-key`);
    if (ctx.certNotAfter && ctx.certNotAfter < new Date()) {
      return tls(`refused the client certificate --etcd-cert ${cert}: it expired on ${ctx.certNotAfter.toISOString()}`);
    }
    return tls(
      `refused the client certificate --etcd-cert ${cert} (TLS alert: ${alert}): is it signed by a CA etcd trusts?`,
    );
  }
  if (ctx.secure && NOT_TLS.test(message)) return tls('does not speak TLS: write the state url as etcd://host:port');
  if (name === 'EtcdAuthenticationFailedError' || /authentication failed, invalid user ID or password/.test(message)) {
    return auth(`authentication failed for user ${user ?? '(none)'}: wrong user name or password`);
  }
  if (/etcdserver: user name is empty/.test(message)) {
    return auth('requires a user: give --etcd-user, and its password in BOSUN_ETCD_PASSWORD or --etcd-password-file');
  }
  if (/etcdserver: authentication is not enabled/.test(message)) {
    return auth(`has authentication disabled, but --etcd-user ${user} was given: enable it, or drop --etcd-user`);
  }
  if (name === 'EtcdPermissionDeniedError' || /etcdserver: permission denied/.test(message)) {
    return auth(`${user ? `user ${user}` : 'this client'} may not ${what} (permission denied)`);
  }
  return undefined;
}
