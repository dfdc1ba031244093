import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { access, constants, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { BosunError, Codes } from '../errors.ts';

const run = promisify(execFile);
const SEARCH = ['/usr/sbin', '/usr/local/sbin'];
const READY_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 5_000;

/** haproxy on PATH or in the sbin folders Debian puts it in; `given` (--haproxy) must exist. */
export async function locateHaproxy(given?: string): Promise<string> {
  const dirs = given ? [] : [...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean), ...SEARCH];
  const candidates = given ? [given] : dirs.map((d) => path.join(d, 'haproxy'));
  for (const file of candidates) {
    if (
      await access(file, constants.X_OK).then(
        () => true,
        () => false,
      )
    )
      return file;
  }
  const where = given ? `${given} is not an executable file` : `not found on PATH or in ${SEARCH.join(', ')}`;
  throw new BosunError(
    Codes.haproxy,
    `haproxy ${where}: install it (Debian: apt-get install haproxy) or give its path with --haproxy <file>`,
  );
}

/**
 * One haproxy in master-worker mode (-W), with its master CLI on a socket (-S). A reload is
 * SIGUSR2 to the master: a new worker takes the listening sockets over (expose-fd listeners),
 * the old one finishes its connections and exits, so no connection is refused or cut. Every
 * configuration is checked with `haproxy -c` first: a refused one never replaces a running one.
 */
export class Haproxy {
  private child: ChildProcess | undefined;
  private exited: Promise<unknown> | undefined;
  readonly configFile: string;

  constructor(
    private readonly binary: string,
    private readonly runDir: string,
    private readonly log: (line: string) => void,
  ) {
    this.configFile = path.join(runDir, 'haproxy.cfg');
  }

  async start(config: string): Promise<void> {
    await this.install(config);
    await rm(path.join(this.runDir, 'admin.sock'), { force: true });
    const args = ['-W', '-db', '-S', `${path.join(this.runDir, 'master.sock')},mode,600`, '-f', this.configFile];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.exited = once(child, 'exit');
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => this.log(`haproxy: ${line}`));
    }
    await this.ready(child);
  }

  /** Writes and checks the configuration, then has the master start a worker on it. */
  async reload(config: string): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null) throw new BosunError(Codes.haproxy, 'haproxy is not running');
    await this.install(config);
    child.kill('SIGUSR2');
  }

  /** Soft stop (SIGUSR1: finish the connections in flight), then SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGUSR1');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(timer);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  private async install(config: string): Promise<void> {
    const next = `${this.configFile}.next`;
    await writeFile(next, config, { mode: 0o600 });
    try {
      await run(this.binary, ['-c', '-q', '-f', next]);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new BosunError(
        Codes.haproxy,
        `haproxy refused the rendered configuration ${next}: ${(e.stderr || e.message).trim()}`,
      );
    }
    await rename(next, this.configFile);
  }

  /** The master binds every listener before it forks a worker: the admin socket there means the ports are bound. */
  private async ready(child: ChildProcess): Promise<void> {
    const sock = path.join(this.runDir, 'admin.sock');
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new BosunError(
          Codes.haproxy,
          `haproxy exited (${child.exitCode ?? child.signalCode}) at start: see its lines above`,
        );
      }
      if (
        await stat(sock).then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new BosunError(Codes.haproxy, `haproxy did not bind its ports within ${READY_TIMEOUT_MS / 1000} s`);
  }
}
