/**
 * `bosun proxy` for tests: the real CLI in a child process, and a client loop that counts every
 * answer and failure through its local port.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';
import { createInterface } from 'node:readline';
import { type ServeProcess, waitFor } from './serve.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/bosun.js');

export interface ProxyProcess {
  child: ChildProcess;
  lines: string[];
}

export async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const { port } = srv.address() as net.AddressInfo;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

/** GET / on a fresh connection: the body of a 200, anything else rejects. */
export function get(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', agent: false, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Requests one after another on `workers` connections until stopped; every answer and failure counted. */
export function clientLoop(port: number, workers: number) {
  const bodies = new Map<string, number>();
  const failures: string[] = [];
  let stopped = false;
  let sent = 0;
  const started = Date.now();
  const worker = async () => {
    while (!stopped) {
      sent++;
      try {
        const body = (await get(port)).trim();
        bodies.set(body, (bodies.get(body) ?? 0) + 1);
      } catch (err) {
        failures.push(`${new Date().toISOString()} ${(err as Error).message}`);
      }
    }
  };
  const done = Promise.all(Array.from({ length: workers }, worker));
  return {
    bodies,
    failures,
    async stop() {
      stopped = true;
      await done;
      return { sent, seconds: (Date.now() - started) / 1000 };
    },
  };
}

/** `bosun proxy …args`, resolved once it says it runs. */
export async function startProxy(args: string[]): Promise<ProxyProcess> {
  const child = spawn(process.execPath, [BIN, 'proxy', ...args], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      lines.push(line);
      if (line.includes('proxy running')) resolve();
    });
    child.on('exit', (code) => reject(new Error(`bosun proxy exited with ${code}:\n${lines.join('\n')}\n${stderr}`)));
  });
  return { child, lines };
}

export async function stopProxy(proxy: ProxyProcess | undefined): Promise<void> {
  if (!proxy || proxy.child.exitCode !== null || proxy.child.signalCode !== null) return;
  proxy.child.kill('SIGTERM');
  await new Promise((r) => proxy.child.once('exit', r));
}

/**
 * The end of a rollout behind the proxy: once the new version answers, a while on it alone, then
 * the loop stopped, its count logged, and every request answered, by both versions, under real load.
 */
export async function expectNoLoss(
  loop: ReturnType<typeof clientLoop>,
  o: { port: number; proxy: ProxyProcess; serve?: ServeProcess; v1: string; v2: string },
): Promise<void> {
  await waitFor(
    'v2 answers',
    async () => ((await get(o.port).catch(() => '')).includes(o.v2) ? true : undefined),
    30_000,
    o.serve,
  );
  await new Promise((r) => setTimeout(r, 1_500));
  const { sent, seconds } = await loop.stop();
  const rate = sent / seconds;
  console.log(
    `      ${sent} requests in ${seconds.toFixed(1)} s (${rate.toFixed(0)}/s) through the proxy, ${loop.failures.length} failed; ` +
      `answers: ${[...loop.bodies].map(([b, n]) => `${n}× "${b}"`).join(', ')}`,
  );
  assert.deepEqual(
    loop.failures,
    [],
    `failed requests:\n${loop.failures.slice(0, 10).join('\n')}\nproxy:\n${o.proxy.lines.join('\n')}`,
  );
  assert.ok((loop.bodies.get(`ok ${o.v1}`) ?? 0) > 0, 'v1 answered through the proxy');
  assert.ok((loop.bodies.get(`ok ${o.v2}`) ?? 0) > 0, 'v2 answered through the proxy');
  assert.ok(sent > 100, `a real load: ${sent} requests`);
}
