/**
 * Two real etcd servers of this process's own, as production runs them: one that demands a
 * client certificate (`--client-cert-auth`), and one on TLS with authentication enabled (a root
 * user and a user restricted to bosun's prefixes). Certificates are made with openssl. Started
 * once per test process on fixed ports 23791-23794 and stopped (by the pids started here) after
 * the last test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EtcdAccess } from '../../src/store/etcd/access.ts';
import { enableAuth, RESTRICTED_PREFIXES } from './etcd-auth.ts';
import { makeTestPki, type TestPki } from './pki.ts';

const START_TIMEOUT_MS = 20_000;
const INSTALL_HINT = 'install it with: apt-get install -y etcd-server   (or run: bash test/setup-services.sh)';

export interface SecureEtcd {
  /** etcds://127.0.0.1:port */
  url: string;
  /** what a client that may use it is given */
  access: EtcdAccess;
}

export interface SecureEtcds {
  pki: TestPki;
  /** TLS, and a client certificate signed by pki.ca required */
  mtls: SecureEtcd;
  /** TLS (server only) and users: `access` is the restricted user, `root` may do anything */
  auth: SecureEtcd & { root: EtcdAccess; outsider: EtcdAccess; prefixes: readonly string[] };
}

interface Server {
  name: string;
  client: number;
  peer: number;
  extra: string[];
  process?: ChildProcess;
  log: string[];
}

let started: Promise<SecureEtcds> | undefined;
let servers: Server[] = [];
let baseDir: string | undefined;

/** Starts both servers on first use; every later call gets the same ones. */
export function secureEtcds(): Promise<SecureEtcds> {
  started ??= start();
  return started;
}

// a root-level hook: the servers outlive every suite that uses them, and stop with the run
after(async () => {
  await Promise.all(servers.map(stopServer));
  servers = [];
  if (baseDir) await rm(baseDir, { recursive: true, force: true });
});

async function start(): Promise<SecureEtcds> {
  baseDir = await mkdtemp(join(tmpdir(), 'bosun-etcdtls-'));
  const pki = await makeTestPki(baseDir);
  const tls = [`--cert-file=${pki.server.cert}`, `--key-file=${pki.server.key}`];
  const mtls: Server = {
    name: 'etcdtls-mtls',
    client: 23791,
    peer: 23792,
    extra: [...tls, '--client-cert-auth', `--trusted-ca-file=${pki.ca}`],
    log: [],
  };
  const auth: Server = { name: 'etcdtls-auth', client: 23793, peer: 23794, extra: tls, log: [] };
  servers = [mtls, auth];
  await Promise.all(servers.map((s) => launch(s, join(baseDir!, s.name))));
  await Promise.all([waitHealthy(mtls, pki, true), waitHealthy(auth, pki, false)]);
  const url = (s: Server) => `etcds://127.0.0.1:${s.client}`;
  const users = await enableAuth(url(auth), { cacert: pki.ca });
  return {
    pki,
    mtls: { url: url(mtls), access: { cacert: pki.ca, ...pki.client } },
    auth: {
      url: url(auth),
      access: { cacert: pki.ca, ...users.restricted },
      root: { cacert: pki.ca, ...users.root },
      outsider: { cacert: pki.ca, ...users.outsider },
      prefixes: RESTRICTED_PREFIXES,
    },
  };
}

function launch(s: Server, dataDir: string): Promise<void> {
  const clientUrl = `https://127.0.0.1:${s.client}`;
  const peerUrl = `http://127.0.0.1:${s.peer}`;
  const args = [
    `--name=${s.name}`,
    `--data-dir=${dataDir}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=${s.name}=${peerUrl}`,
    ...s.extra,
  ];
  // etcd reads ETCD_* variables as flags: keep the developer's own out of the test servers
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
  const child = spawn('etcd', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  s.process = child;
  child.stderr?.on('data', (chunk: Buffer) => {
    s.log.push(chunk.toString());
    if (s.log.length > 50) s.log.shift();
  });
  child.on('exit', () => {
    if (s.process === child) s.process = undefined;
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err: NodeJS.ErrnoException) => {
      s.process = undefined;
      reject(new Error(err.code === 'ENOENT' ? `no etcd binary on PATH; ${INSTALL_HINT}` : err.message));
    });
  });
}

async function health(s: Server, pki: TestPki, withClientCert: boolean): Promise<boolean> {
  const ca = await readFile(pki.ca);
  const cert = withClientCert ? await readFile(pki.client.cert) : undefined;
  const key = withClientCert ? await readFile(pki.client.key) : undefined;
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: s.client, path: '/health', ca, cert, key, timeout: 1_000 },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(res.statusCode === 200 && body.includes('"health":"true"')));
      },
    );
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function waitHealthy(s: Server, pki: TestPki, withClientCert: boolean): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const tail = () => s.log.join('').slice(-2000);
    if (!s.process) throw new Error(`etcd ${s.name} exited while starting (port ${s.client} taken?):\n${tail()}`);
    if (await health(s, pki, withClientCert)) return;
    await sleep(100);
  }
  throw new Error(`etcd ${s.name} not healthy after ${START_TIMEOUT_MS / 1000} s:\n${s.log.join('').slice(-2000)}`);
}

async function stopServer(s: Server): Promise<void> {
  const child = s.process;
  if (!child) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
