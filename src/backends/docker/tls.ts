/**
 * TLS to a Docker engine: reading the certificate files once, before anything is asked of the
 * engine, and turning a failed handshake into one line that says which side refused what.
 */
import fs from 'node:fs';
import tls from 'node:tls';
import { BosunError, Codes } from '../../errors.ts';
import type { TlsFiles } from './host.ts';

export interface TlsMaterial {
  verify: boolean;
  ca: Buffer;
  /** absent when no client certificate was named and none is in the cert directory */
  cert?: Buffer;
  key?: Buffer;
  files: TlsFiles;
}

function tlsError(message: string, data: Record<string, unknown> = {}, cause?: unknown): BosunError {
  return new BosunError(Codes.dockerTls, message, { data, cause });
}

function readPem(file: string, what: string): Buffer {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String(code);
    throw tlsError(`cannot read the Docker TLS ${what} ${file}: ${why}`, { file }, err);
  }
}

function exists(file: string): boolean {
  return fs.existsSync(file);
}

/**
 * Reads the CA, and the client certificate and key when there are some. As docker does, the
 * cert.pem and key.pem of the cert directory are optional (no client certificate is sent), but a
 * file named by a flag must exist, and a certificate without its key (or a key without its
 * certificate) names the missing file rather than failing later at the handshake.
 */
export function loadTls(files: TlsFiles): TlsMaterial {
  const ca = readPem(files.ca, 'CA certificate');
  const hasCert = files.certNamed || exists(files.cert);
  const hasKey = files.keyNamed || exists(files.key);
  if (!hasCert && !hasKey) return { verify: files.verify, ca, files };
  if (!hasKey)
    throw tlsError(`the Docker TLS client certificate ${files.cert} has no key: ${files.key} does not exist`);
  if (!hasCert)
    throw tlsError(`the Docker TLS client key ${files.key} has no certificate: ${files.cert} does not exist`);
  const material = {
    verify: files.verify,
    ca,
    cert: readPem(files.cert, 'client certificate'),
    key: readPem(files.key, 'client key'),
    files,
  };
  checkPair(material);
  return material;
}

/** Bad PEM or a key of another certificate, found now and named, not at the first request. */
function checkPair(m: TlsMaterial): void {
  try {
    tls.createSecureContext({ ca: m.ca });
  } catch (err) {
    throw tlsError(`the Docker TLS CA certificate ${m.files.ca} is not usable: ${short(err)}`, {}, err);
  }
  try {
    tls.createSecureContext({ cert: m.cert, key: m.key });
  } catch (err) {
    throw tlsError(
      `the Docker TLS client certificate ${m.files.cert} and key ${m.files.key} are not usable together: ${short(err)}`,
      {},
      err,
    );
  }
}

/** OpenSSL messages end in their reason ("error:...:key values mismatch"): keep that part. */
function short(err: unknown): string {
  const e = err as { reason?: string; message?: string };
  return e.reason ?? e.message?.split(':').pop()?.trim() ?? String(err);
}

/** Node's codes for a server certificate that the CA does not vouch for. */
const UNTRUSTED = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_GET_ISSUER_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
]);

/** Alerts a server sends when it refuses the client's certificate, or wanted one and got none. */
const REFUSED_CLIENT =
  /^ERR_SSL_(SSLV3_ALERT_BAD_CERTIFICATE|TLSV13_ALERT_CERTIFICATE_REQUIRED|TLSV1_ALERT_UNKNOWN_CA|SSLV3_ALERT_CERTIFICATE_(EXPIRED|UNKNOWN|REVOKED|UNSUPPORTED)|TLSV1_ALERT_ACCESS_DENIED|TLSV1_ALERT_DECRYPT_ERROR)$/;

/**
 * A TLS failure talking to `where`, as one line saying which: the engine's certificate not
 * trusted, expired or for another name; our certificate refused or missing; no TLS on the other
 * side. Undefined for anything else.
 */
export function tlsFailure(err: unknown, where: string, m: TlsMaterial | undefined): BosunError | undefined {
  const code = String((err as { code?: unknown })?.code ?? '');
  const say = (why: string) => tlsError(`TLS to the Docker engine at ${where} failed: ${why}`, { tlsCode: code }, err);
  if (!m) {
    // plain HTTP to a TLS port: Go answers 400 with this text instead of failing the handshake
    return /HTTP request to an HTTPS server/.test(String((err as Error)?.message))
      ? say('the engine speaks TLS; set DOCKER_TLS_VERIFY=1 and DOCKER_CERT_PATH (or --docker-tlsverify)')
      : undefined;
  }
  if (UNTRUSTED.has(code))
    return say(`the engine's certificate is not signed by the CA in ${m.files.ca} (unknown authority)`);
  if (code === 'CERT_HAS_EXPIRED') return say("the engine's certificate has expired");
  if (code === 'CERT_NOT_YET_VALID') return say("the engine's certificate is not valid yet");
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return say(`the engine's certificate is for another name (${short(err)})`);
  if (REFUSED_CLIENT.test(code)) {
    if (!m.cert)
      return say(
        `the engine requires a client certificate and none was given (no ${m.files.cert}; set DOCKER_CERT_PATH or --docker-tlscert/--docker-tlskey)`,
      );
    return say(`the engine refused the client certificate ${m.files.cert} (${short(err)})`);
  }
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'ERR_SSL_PACKET_LENGTH_TOO_LONG')
    return say('the engine does not speak TLS on that port');
  return undefined;
}
