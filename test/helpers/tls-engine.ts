/**
 * A second, real dockerd that only speaks TLS with client certificates on 127.0.0.1:23760, beside
 * the main engine: its own data-root, exec-root, pidfile, containerd and unix socket, no bridge and
 * no iptables rules, so the two engines share nothing. Certificates are made with openssl.
 */
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { until } from './engine.ts';

const run = promisify(execFile);

export const TLS_PORT = 23760;
export const TLS_HOST = `tcp://127.0.0.1:${TLS_PORT}`;
export const TLS_SOCKET = '/run/dtls-docker.sock';
const PIDFILE = '/run/dtls-docker.pid';
const EXEC_ROOT = '/run/dtls-docker-exec';
/**
 * The second engine's own default bridge. Not `--bridge=none`: a dockerd started with it deletes
 * the host's docker0 on start-up, which breaks every later container of the main engine on the
 * default bridge network.
 */
const BRIDGE = 'dtls0';
/**
 * Its networks come from a range the main engine never picks by default (172.17–31/16 and
 * 192.168/20): two engines on one host do not see each other's subnets, and a network of the
 * second on 172.17.0.0/16 once took the host's route to the main engine's containers. Its
 * bridges outlive it in the kernel, so stop() deletes every interface in this range.
 */
const POOL = '10.123.0.0/16';
const BRIDGE_ADDR = '10.123.250.1/24';

/** DOCKER_CERT_PATH directories, one per case the tests drive. */
export interface CertDirs {
  /** CA, server cert and key (for dockerd), and the wrong CA's key */
  root: string;
  /** ca.pem + cert.pem + key.pem: everything right */
  good: string;
  /** ca.pem only: no client certificate */
  noClient: string;
  /** a CA that did not sign the engine's certificate, with a good client certificate */
  wrongCa: string;
  /** the right CA, and a client certificate signed by the wrong CA */
  foreignClient: string;
  /** nothing at all */
  empty: string;
}

async function openssl(cwd: string, ...args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    throw new Error('these tests make certificates with openssl, which is missing: bash test/setup-services.sh');
  }
}

/** A self-signed CA named `name` in `dir`: name.pem and name-key.pem. */
async function makeCa(dir: string, name: string): Promise<void> {
  await openssl(
    dir,
    ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', `/CN=dtls ${name}`],
    ...['-keyout', `${name}-key.pem`, '-out', `${name}.pem`],
  );
}

/** A key and a certificate for `name`, signed by `ca`, with the given X.509 extensions. */
async function makeLeaf(dir: string, name: string, ca: string, ext: string): Promise<void> {
  await fs.writeFile(path.join(dir, `${name}.ext`), ext);
  await openssl(
    dir,
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    `/CN=dtls ${name}`,
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
  );
  await openssl(
    dir,
    ...['x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.pem`, '-CAkey', `${ca}-key.pem`, '-CAcreateserial'],
    ...['-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`],
  );
}

async function certDir(root: string, name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(root, name);
  await fs.mkdir(dir);
  for (const [to, from] of Object.entries(files)) await fs.copyFile(path.join(root, from), path.join(dir, to));
  return dir;
}

export async function makeCerts(): Promise<CertDirs> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'dtls-certs-'));
  await Promise.all([makeCa(root, 'ca'), makeCa(root, 'wrongca')]);
  await makeLeaf(root, 'server', 'ca', 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n');
  await makeLeaf(root, 'client', 'ca', 'extendedKeyUsage=clientAuth\n');
  await makeLeaf(root, 'foreign', 'wrongca', 'extendedKeyUsage=clientAuth\n');
  const client = { 'cert.pem': 'client.pem', 'key.pem': 'client-key.pem' };
  return {
    root,
    good: await certDir(root, 'good', { 'ca.pem': 'ca.pem', ...client }),
    noClient: await certDir(root, 'no-client', { 'ca.pem': 'ca.pem' }),
    wrongCa: await certDir(root, 'wrong-ca', { 'ca.pem': 'wrongca.pem', ...client }),
    foreignClient: await certDir(root, 'foreign-client', {
      'ca.pem': 'ca.pem',
      'cert.pem': 'foreign.pem',
      'key.pem': 'foreign-key.pem',
    }),
    empty: await certDir(root, 'empty', {}),
  };
}

export interface TlsEngine {
  certs: CertDirs;
  /** the engine through its own unix socket: for the test's own checks, never for bosun */
  docker: Docker;
  stop(): Promise<void>;
}

/** A dockerd left by a run of this suite that died: ours to stop, recognised by its pidfile and flags. */
async function stopStale(): Promise<void> {
  if (!existsSync(PIDFILE)) return;
  const pid = Number(readFileSync(PIDFILE, 'utf8').trim());
  const cmdline = await fs.readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (!cmdline.includes(PIDFILE)) return;
  process.kill(pid, 'SIGTERM');
  await until('the stale TLS dockerd to exit', async () => !existsSync(`/proc/${pid}`), 30_000);
}

export async function startTlsEngine(): Promise<TlsEngine> {
  await stopStale();
  await ensureBridge();
  const certs = await makeCerts();
  const r = (f: string) => path.join(certs.root, f);
  const state = await fs.mkdtemp(path.join(os.tmpdir(), 'dtls-engine-'));
  await fs.writeFile(path.join(state, 'daemon.json'), '{}');
  const log = await fs.open(path.join(state, 'dockerd.log'), 'w');
  const child = spawn(
    'dockerd',
    [
      ...['--config-file', path.join(state, 'daemon.json'), '--tlsverify', '--tlscacert', r('ca.pem')],
      ...['--tlscert', r('server.pem'), '--tlskey', r('server-key.pem'), '-H', TLS_HOST, '-H', `unix://${TLS_SOCKET}`],
      ...['--data-root', path.join(state, 'data'), '--exec-root', EXEC_ROOT, '--pidfile', PIDFILE],
      ...[
        '--default-address-pool',
        `base=${POOL},size=24`,
        `--bridge=${BRIDGE}`,
        '--iptables=false',
        '--ip-masq=false',
        '--cgroup-parent',
        'dtls-docker',
      ],
    ],
    { stdio: ['ignore', log.fd, log.fd] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const docker = new Docker({ socketPath: TLS_SOCKET });
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await log.close();
    await fs.rm(state, { recursive: true, force: true });
    await fs.rm(EXEC_ROOT, { recursive: true, force: true });
    await fs.rm(certs.root, { recursive: true, force: true });
    await deleteInterfacesInPool();
  };
  try {
    await until('the TLS dockerd to answer', () => docker.ping().then(() => true), 60_000);
  } catch (err) {
    const tail = (await fs.readFile(path.join(state, 'dockerd.log'), 'utf8').catch(() => '')).slice(-2000);
    await stop();
    throw new Error(`the second dockerd (TLS on ${TLS_HOST}) did not start: ${(err as Error).message}\n${tail}`);
  }
  return { certs, docker, stop };
}

async function ensureBridge(): Promise<void> {
  const exists = await run('ip', ['link', 'show', BRIDGE]).then(
    () => true,
    () => false,
  );
  if (exists) return;
  await run('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await run('ip', ['addr', 'add', BRIDGE_ADDR, 'dev', BRIDGE]);
  await run('ip', ['link', 'set', BRIDGE, 'up']);
}

/** The bridges the second engine made (its default one and one per network), gone with it. */
async function deleteInterfacesInPool(): Promise<void> {
  const { stdout } = await run('ip', ['-o', '-4', 'addr', 'show']);
  const names = stdout
    .split('\n')
    .filter((line) => / inet 10\.123\./.test(line))
    .map((line) => line.split(/\s+/)[1]!);
  for (const name of new Set(names)) await run('ip', ['link', 'del', name]).catch(() => {});
}

/** Copies an image of the main engine into the TLS engine (no registry here). */
export async function loadImage(image: string): Promise<void> {
  await run('sh', ['-c', `docker save '${image}' | docker -H 'unix://${TLS_SOCKET}' load`]);
}
