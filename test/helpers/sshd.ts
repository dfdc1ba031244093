/**
 * A real OpenSSH server on 127.0.0.1 for ssh:// engines: root logs in with a key made here, and
 * its sessions get DOCKER_HOST set by sshd, so `docker system dial-stdio` on the "remote" side
 * reaches the engine the test chooses. Clients are the system ssh, wrapped by a script first on
 * PATH that adds a config file (identity, known_hosts): the user's ~/.ssh is never touched.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { until } from './engine.ts';

const run = promisify(execFile);
const SSHD = '/usr/sbin/sshd';

export interface TestSshd {
  port: number;
  /** PATH entries whose `ssh` is the system one with a config: good key and known host */
  pathGood: string;
  /** ... with a key the server does not know */
  pathBadKey: string;
  /** ... with the right key, but the server's host key unknown */
  pathUnknownHost: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A directory holding an `ssh` that runs the system ssh with `config`. */
async function wrappedSsh(dir: string, name: string, config: string): Promise<string> {
  const bin = path.join(dir, name);
  await fs.mkdir(bin);
  await fs.writeFile(path.join(bin, 'ssh_config'), config);
  await fs.writeFile(path.join(bin, 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -F '${bin}/ssh_config' "$@"\n`, {
    mode: 0o755,
  });
  return bin;
}

function clientConfig(key: string, knownHosts: string): string {
  return `Host *\n  IdentityFile ${key}\n  IdentitiesOnly yes\n  UserKnownHostsFile ${knownHosts}\n  StrictHostKeyChecking yes\n`;
}

export async function startSshd(remoteDockerHost: string): Promise<TestSshd> {
  if (!existsSync(SSHD)) throw new Error(`these tests need an OpenSSH server (${SSHD}): bash test/setup-services.sh`);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'dtls-sshd-'));
  const f = (name: string) => path.join(dir, name);
  for (const key of ['host_key', 'client_key', 'stranger_key'])
    await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', `dtls ${key}`, '-f', f(key)]);
  await fs.copyFile(f('client_key.pub'), f('authorized_keys'));
  const port = await freePort();
  const hostKey = (await fs.readFile(f('host_key.pub'), 'utf8')).split(' ').slice(0, 2).join(' ');
  await fs.writeFile(f('known_hosts'), `[127.0.0.1]:${port} ${hostKey}\n`);
  await fs.writeFile(f('no_known_hosts'), '');
  await fs.writeFile(
    f('sshd_config'),
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${f('host_key')}`,
      `PidFile ${f('sshd.pid')}`,
      `AuthorizedKeysFile ${f('authorized_keys')}`,
      // the files live under /tmp, which StrictModes refuses as world-writable
      'StrictModes no',
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      `SetEnv DOCKER_HOST=${remoteDockerHost}`,
      '',
    ].join('\n'),
  );
  await fs.mkdir('/run/sshd', { recursive: true }); // privilege separation directory
  const child = spawn(SSHD, ['-D', '-f', f('sshd_config'), '-E', f('sshd.log')], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    await fs.rm(dir, { recursive: true, force: true });
  };
  const listening = () =>
    new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
  try {
    await until('sshd to listen', listening, 20_000);
  } catch (err) {
    const log = await fs.readFile(f('sshd.log'), 'utf8').catch(() => '');
    await stop();
    throw new Error(`sshd did not start: ${(err as Error).message}\n${log}`);
  }
  return {
    port,
    pathGood: await wrappedSsh(dir, 'good', clientConfig(f('client_key'), f('known_hosts'))),
    pathBadKey: await wrappedSsh(dir, 'bad-key', clientConfig(f('stranger_key'), f('known_hosts'))),
    pathUnknownHost: await wrappedSsh(dir, 'unknown-host', clientConfig(f('client_key'), f('no_known_hosts'))),
    stop,
  };
}
