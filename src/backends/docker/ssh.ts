/**
 * ssh:// engines the docker CLI's way (cli/connhelper): each HTTP connection is the system `ssh`
 * running `docker system dial-stdio` on the remote host, so the user's ~/.ssh/config, agent, keys
 * and known_hosts apply exactly as they do for `docker -H ssh://...`. (docker-modem's own ssh
 * support goes through the ssh2 package, which accepts any host key unless told otherwise.)
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import http from 'node:http';
import { Duplex } from 'node:stream';
import { BosunError, Codes } from '../../errors.ts';

export interface SshAddress {
  scheme: 'ssh';
  host: string;
  user?: string;
  port?: number;
}

/**
 * The docker CLI's command line, plus BatchMode: bosun runs unattended (serve), so ssh must fail
 * at once rather than wait for a password or a host key confirmation nobody will type.
 */
export function sshArgs(a: SshAddress): string[] {
  const args = ['-o', 'ConnectTimeout=30', '-o', 'BatchMode=yes', '-T'];
  if (a.user) args.push('-l', a.user);
  if (a.port) args.push('-p', String(a.port));
  return [...args, '--', a.host, 'docker', 'system', 'dial-stdio'];
}

/** The end of ssh's stderr, the part that says why ("Permission denied (publickey).") */
export class SshFailure extends Error {
  constructor(
    readonly exitCode: number | null,
    readonly stderr: string,
  ) {
    const last = stderr.trim().split('\n').pop()?.trim();
    super(last || `ssh exited with ${exitCode}`);
    this.name = 'SshFailure';
  }
}

const STDERR_CAP = 4096;
/** An ssh connection left idle this long is closed: a pool must not keep hosts' sshd busy for ever. */
const IDLE_MS = 15_000;

/** What the pool needs of a socket beside the stream: to let the process exit while it idles. */
interface PooledSocket extends Duplex {
  setIdle(idle: boolean): void;
}

/** An idle pooled connection holds neither this process open nor the remote sshd for long. */
function poolable(socket: PooledSocket, child: ChildProcessWithoutNullStreams): void {
  let idleTimer: NodeJS.Timeout | undefined;
  // the child's pipes are net.Sockets, though typed as plain streams
  const handles = [child, child.stdin, child.stdout, child.stderr] as unknown as { ref(): void; unref(): void }[];
  socket.setIdle = (idle) => {
    clearTimeout(idleTimer);
    for (const handle of handles) idle ? handle.unref() : handle.ref();
    if (idle) idleTimer = setTimeout(() => socket.destroy(), IDLE_MS).unref();
  };
}

/**
 * One ssh process per connection. Its output ends the stream only once ssh has exited, so a
 * failure reaches the HTTP client as ssh's own reason, not as an early EOF or EPIPE.
 */
function dialStdio(a: SshAddress): Duplex {
  const child = spawn('ssh', sshArgs(a), { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  const socket = new Duplex({
    // ssh gone means the connection is gone: end both ways, so the pool drops it
    allowHalfOpen: false,
    read: () => child.stdout.resume(),
    // a write after ssh died fails with EPIPE: its exit status says why, below
    write: (chunk, encoding, done) => child.stdin.write(chunk, encoding, () => done()),
    final: (done) => child.stdin.end(done),
    destroy: (err, done) => {
      if (child.exitCode === null && child.signalCode === null) child.kill();
      done(err);
    },
  });
  poolable(socket as PooledSocket, child);
  child.stdin.on('error', () => {});
  child.stdout.on('data', (chunk: Buffer) => {
    if (!socket.push(chunk)) child.stdout.pause();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    if (stderr.length < STDERR_CAP) stderr += chunk.toString('utf8');
  });
  child.on('error', (err: NodeJS.ErrnoException) =>
    socket.destroy(
      err.code === 'ENOENT' ? new SshFailure(null, 'the ssh client is not installed (no ssh on PATH)') : err,
    ),
  );
  child.on('close', (code) => {
    if (code === 0) socket.push(null);
    else if (code !== null) socket.destroy(new SshFailure(code, stderr));
  });
  return socket;
}

/**
 * Connections are kept alive and reused, as the docker CLI reuses its ssh connection: a new
 * ssh process per request would double a reconcile's time. Node's pool asks a free socket for
 * net.Socket calls (setKeepAlive, unref, ref) a child's pipes do not have, so the two pool hooks
 * are answered here instead.
 */
export class SshAgent extends http.Agent {
  constructor(private readonly address: SshAddress) {
    super({ keepAlive: true, maxFreeSockets: 4 });
  }

  override createConnection(): Duplex {
    return dialStdio(this.address);
  }

  override keepSocketAlive(socket: Duplex): boolean {
    (socket as PooledSocket).setIdle(true);
    return true;
  }

  override reuseSocket(socket: Duplex, req: http.ClientRequest): void {
    (socket as PooledSocket).setIdle(false);
    req.reusedSocket = true;
  }
}

/** ssh's own words for a host it could not reach: worth retrying, unlike a refused key. */
const UNREACHABLE =
  /Connection refused|Connection timed out|timed out|No route to host|Network is unreachable|Could not resolve hostname|Connection reset|Connection closed by remote host/i;

export function sshError(err: SshFailure, endpoint: string): BosunError {
  const data = { exitCode: err.exitCode, stderr: err.stderr.slice(-1000) };
  if (UNREACHABLE.test(err.message))
    return new BosunError(Codes.dockerUnreachable, `cannot reach the Docker engine at ${endpoint}: ${err.message}`, {
      cause: err,
      data,
    });
  return new BosunError(Codes.dockerSsh, `ssh to the Docker engine at ${endpoint} failed: ${err.message}`, {
    cause: err,
    data,
  });
}
