/**
 * Certificates for TLS tests, made with the openssl CLI as an operator would: a CA, a server
 * certificate for 127.0.0.1/localhost, client certificates (valid, expired, and one from an
 * unrelated CA). EC P-256 keys: quick to make, and both etcd (Go) and grpc-js accept them.
 */
import { execFile } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const INSTALL_HINT = 'install it with: apt-get install -y openssl   (or run: bash test/setup-services.sh)';

export interface CertPair {
  cert: string;
  key: string;
}

export interface TestPki {
  /** the CA etcd trusts, and that signed its server certificate */
  ca: string;
  server: CertPair;
  /** signed by `ca`, extendedKeyUsage clientAuth */
  client: CertPair;
  /** signed by `ca`, valid only in January 2020 */
  expiredClient: CertPair;
  /** a second CA that has nothing to do with etcd */
  otherCa: string;
  /** signed by `otherCa`: a certificate etcd does not trust */
  otherClient: CertPair;
}

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error(`no openssl binary on PATH; ${INSTALL_HINT}`);
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<void> {
  const subject = `/CN=bosun-test-${name}`;
  await openssl(dir, [
    'req',
    '-x509',
    ...EC_KEY,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-days',
    '2',
    '-subj',
    subject,
  ]);
}

async function request(dir: string, name: string, cn: string): Promise<void> {
  await openssl(dir, ['req', ...EC_KEY, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
}

async function sign(dir: string, name: string, ca: string, extensions: string): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), extensions);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    // a serial of its own: signings run in parallel and would race on a shared .srl file
    '-set_serial',
    String(randomInt(1, 2 ** 47)),
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

/** `openssl x509` cannot back-date; `openssl ca` takes explicit start and end dates. */
async function signExpired(dir: string, name: string, ca: string): Promise<void> {
  await mkdir(join(dir, 'ca-db'), { recursive: true });
  await writeFile(join(dir, 'ca-db', 'index.txt'), '');
  await writeFile(join(dir, 'ca-db', 'serial'), '01\n');
  const config = [
    '[ca]',
    'default_ca = d',
    '[d]',
    'database = ca-db/index.txt',
    'new_certs_dir = ca-db',
    'serial = ca-db/serial',
    'default_md = sha256',
    'policy = p',
    'x509_extensions = ext',
    '[p]',
    'commonName = supplied',
    '[ext]',
    'extendedKeyUsage = clientAuth',
  ].join('\n');
  await writeFile(join(dir, 'ca.cnf'), `${config}\n`);
  await openssl(dir, [
    'ca',
    '-batch',
    '-notext',
    '-config',
    'ca.cnf',
    '-cert',
    `${ca}.crt`,
    '-keyfile',
    `${ca}.key`,
    '-in',
    `${name}.csr`,
    '-out',
    `${name}.crt`,
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200102000000Z',
  ]);
}

const pair = (dir: string, name: string): CertPair => ({
  cert: join(dir, `${name}.crt`),
  key: join(dir, `${name}.key`),
});

/** Writes the whole set into `dir` (which must exist). */
export async function makeTestPki(dir: string): Promise<TestPki> {
  await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')]);
  const client = 'extendedKeyUsage = clientAuth\n';
  await Promise.all([
    request(dir, 'server', 'localhost'),
    request(dir, 'client', 'bosun'),
    request(dir, 'expired-client', 'bosun'),
    request(dir, 'other-client', 'bosun'),
  ]);
  await Promise.all([
    sign(dir, 'server', 'ca', 'subjectAltName = IP:127.0.0.1, DNS:localhost\nextendedKeyUsage = serverAuth\n'),
    sign(dir, 'client', 'ca', client),
    sign(dir, 'other-client', 'other-ca', client),
    signExpired(dir, 'expired-client', 'ca'),
  ]);
  return {
    ca: join(dir, 'ca.crt'),
    server: pair(dir, 'server'),
    client: pair(dir, 'client'),
    expiredClient: pair(dir, 'expired-client'),
    otherCa: join(dir, 'other-ca.crt'),
    otherClient: pair(dir, 'other-client'),
  };
}
