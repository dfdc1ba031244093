/**
 * Which Docker engine to talk to and how, read from flags and the environment exactly as the
 * docker CLI reads DOCKER_HOST, DOCKER_TLS, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH and DOCKER_CONFIG
 * (docker/cli `cli/flags/options.go` and `opts/hosts.go`). Pure: no file is read here.
 */
import path from 'node:path';
import { BosunError, Codes } from '../../errors.ts';
import type { SshAddress } from './ssh.ts';

/** The connection flags, named after the docker CLI's with a `docker-` prefix. */
export interface DockerConnectOptions {
  /** --docker-host (docker -H) */
  host?: string;
  /** --docker-tls (docker --tls): TLS without verifying the engine */
  tls?: boolean;
  /** --docker-tlsverify (docker --tlsverify): TLS, the engine's certificate checked against the CA */
  tlsVerify?: boolean;
  tlsCaCert?: string;
  tlsCert?: string;
  tlsKey?: string;
}

/** The files TLS is made of. The CA must exist; a client cert or key the user did not name may be absent. */
export interface TlsFiles {
  verify: boolean;
  ca: string;
  cert: string;
  key: string;
  /** named by a flag: must exist (the defaults under the cert path are dropped when absent, as docker does) */
  certNamed: boolean;
  keyNamed: boolean;
}

export type DockerAddress =
  | { scheme: 'unix'; socketPath: string }
  | { scheme: 'tcp'; host: string; port: number }
  | SshAddress;

/** An engine address and, when TLS is on, its files. TLS only applies to tcp, as in the docker CLI. */
export type DockerTarget = DockerAddress & { tls?: TlsFiles };

type Env = Record<string, string | undefined>;

export const DEFAULT_UNIX_SOCKET = '/var/run/docker.sock';
/** docker's defaults: a bare tcp:// is port 2375 even with TLS; no host at all with TLS is localhost:2376 */
const DEFAULT_TCP_PORT = 2375;
const DEFAULT_TLS_HOST = 'tcp://localhost:2376';

/** Schemes the docker CLI knows that make no sense for bosun, each with what to do instead. */
const REFUSED: Record<string, string> = {
  npipe: 'npipe:// is a Windows named pipe: bosun runs on Linux',
  fd: 'fd:// names a socket dockerd inherits from systemd: clients cannot connect to it',
  http: 'use tcp://HOST:PORT (the docker CLI does not accept http://)',
  https: 'use tcp://HOST:PORT with DOCKER_TLS_VERIFY=1 or --docker-tlsverify (the docker CLI does not accept https://)',
};

function hostError(raw: string, source: string, why: string): BosunError {
  return new BosunError(Codes.dockerHost, `${source} "${raw}" is not a Docker host: ${why}`, {
    data: { host: raw, source },
  });
}

/** Parses one host value as the docker CLI does; `source` names where it came from for the message. */
export function parseDockerHost(value: string, source = 'DOCKER_HOST'): DockerAddress {
  const raw = value.trim();
  const sep = raw.indexOf('://');
  // docker: no "://" at all means a tcp address ("localhost:2375")
  const scheme = sep < 0 ? 'tcp' : raw.slice(0, sep).toLowerCase();
  const rest = sep < 0 ? raw : raw.slice(sep + 3);
  if (scheme === 'unix') return { scheme: 'unix', socketPath: rest || DEFAULT_UNIX_SOCKET };
  if (scheme === 'tcp') return parseTcp(raw, rest, source);
  if (scheme === 'ssh') return parseSsh(raw, rest, source);
  const why = REFUSED[scheme] ?? 'bosun accepts unix://, tcp:// (with DOCKER_TLS_VERIFY for TLS) and ssh://';
  throw hostError(raw, source, why);
}

function parseTcp(raw: string, rest: string, source: string): DockerAddress {
  if (rest.startsWith('/')) throw hostError(raw, source, `for a socket path write unix://${rest}`);
  let url: URL;
  try {
    url = new URL(`tcp://${rest}`);
  } catch {
    throw hostError(raw, source, 'expected tcp://HOST:PORT');
  }
  if (url.pathname !== '' && url.pathname !== '/')
    throw hostError(raw, source, 'a path after HOST:PORT is not supported');
  if (url.username || url.password) throw hostError(raw, source, 'tcp:// hosts take no user or password');
  // URL keeps IPv6 brackets in hostname; sockets want the bare address
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost';
  return { scheme: 'tcp', host, port: url.port ? Number(url.port) : DEFAULT_TCP_PORT };
}

/** ssh://[user@]host[:port], refused where docker's connhelper refuses it (a password, a query). */
function parseSsh(raw: string, rest: string, source: string): SshAddress {
  let url: URL;
  try {
    url = new URL(`ssh://${rest}`);
  } catch {
    throw hostError(raw, source, 'expected ssh://[USER@]HOST[:PORT]');
  }
  if (url.password) throw hostError(raw, source, 'a password in the URL is not supported: use an ssh key or agent');
  if (!url.hostname) throw hostError(raw, source, 'no host after ssh://');
  if ((url.pathname !== '' && url.pathname !== '/') || url.search || url.hash)
    throw hostError(raw, source, 'nothing may follow HOST[:PORT]');
  const address: SshAddress = { scheme: 'ssh', host: url.hostname.replace(/^\[(.*)\]$/, '$1') };
  if (url.username) address.user = decodeURIComponent(url.username);
  if (url.port) address.port = Number(url.port);
  return address;
}

/** docker's config directory: DOCKER_CONFIG, else ~/.docker. */
export function configDir(env: Env, home: string): string {
  return env.DOCKER_CONFIG || path.join(home, '.docker');
}

/** docker: DOCKER_CERT_PATH, else the config directory. */
export function certDir(env: Env, home: string): string {
  return env.DOCKER_CERT_PATH || configDir(env, home);
}

/**
 * The docker CLI falls back to a context (DOCKER_CONTEXT, else config.json's currentContext)
 * when no host is named. bosun reads no contexts: rather than silently converge the local
 * engine while `docker` talks to another, it asks for the host.
 */
function refuseContext(env: Env, currentContext: string | undefined): void {
  const fromEnv = env.DOCKER_CONTEXT?.trim();
  const name = fromEnv || currentContext;
  if (!name || name === 'default') return;
  const where = fromEnv ? 'DOCKER_CONTEXT' : 'currentContext in the docker config.json';
  throw new BosunError(
    Codes.dockerHost,
    `the docker CLI would use context "${name}" (${where}), which bosun does not read: ` +
      `name the engine with DOCKER_HOST or --docker-host (docker context inspect ${name} shows it)`,
    { data: { context: name } },
  );
}

/**
 * Flags over environment, as docker: --docker-host over DOCKER_HOST; TLS is on when any of
 * --docker-tls, --docker-tlsverify, DOCKER_TLS, DOCKER_TLS_VERIFY is set (docker treats any
 * non-empty value as set, "0" included); a named file over the one in the cert directory.
 */
export function resolveDockerTarget(
  o: DockerConnectOptions,
  env: Env,
  home: string,
  currentContext?: string,
): DockerTarget {
  const verify = Boolean(o.tlsVerify || env.DOCKER_TLS_VERIFY);
  const tlsOn = verify || Boolean(o.tls || env.DOCKER_TLS);
  const fromFlag = Boolean(o.host?.trim());
  const value = fromFlag ? (o.host as string) : env.DOCKER_HOST?.trim() || '';
  if (!value) refuseContext(env, currentContext);
  const address = value
    ? parseDockerHost(value, fromFlag ? '--docker-host' : 'DOCKER_HOST')
    : parseDockerHost(tlsOn ? DEFAULT_TLS_HOST : `unix://${DEFAULT_UNIX_SOCKET}`);
  if (!tlsOn) return address;
  const dir = certDir(env, home);
  const tls: TlsFiles = {
    verify,
    ca: o.tlsCaCert || path.join(dir, 'ca.pem'),
    cert: o.tlsCert || path.join(dir, 'cert.pem'),
    key: o.tlsKey || path.join(dir, 'key.pem'),
    certNamed: Boolean(o.tlsCert),
    keyNamed: Boolean(o.tlsKey),
  };
  return { ...address, tls };
}

/** How messages name the engine: its address, and for tcp whether and how TLS is used. */
export function describeTarget(t: DockerTarget): string {
  if (t.scheme === 'unix') return `unix://${t.socketPath}`;
  if (t.scheme === 'ssh') return `ssh://${t.user ? `${t.user}@` : ''}${hostPort(t.host, t.port)}`;
  const where = `tcp://${hostPort(t.host, t.port)}`;
  if (!t.tls) return where;
  return `${where} (TLS, ${t.tls.verify ? 'engine verified' : 'engine NOT verified'})`;
}

function hostPort(host: string, port: number | undefined): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return port === undefined ? h : `${h}:${port}`;
}
