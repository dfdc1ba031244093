/**
 * Runs the real `bosun serve` in a child process on an ephemeral port, and talks to it over
 * HTTP: status, metrics, signed webhooks. Its JSON log lines are kept for assertions and for
 * the failure message when something times out.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

const BIN = path.resolve(import.meta.dirname, '../../bin/bosun.js');

export interface ServeProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  logs: Record<string, unknown>[];
  stderr: () => string;
  /** SIGTERM, then the exit code (null if killed by a signal) */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `bosun serve --listen 127.0.0.1:0 ...args` and resolves once it logged its address.
 * `bin` runs another copy of bin/bosun.js (the benches' compiled build).
 */
export async function startServe(args: string[], env: Record<string, string> = {}, bin = BIN): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--listen', '127.0.0.1:0', ...args], {
    env: { ...process.env, NO_COLOR: '1', BOSUN_DEBUG: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Record<string, unknown>[] = [];
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  const address = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const entry = parseLine(line);
      logs.push(entry);
      if (typeof entry.address === 'string') resolve(entry.address);
    });
    void exited.then(([code]) => reject(new Error(`bosun serve exited with ${code} before listening:\n${stderr}`)));
  });
  const url = await address;
  return {
    url,
    pid: child.pid!,
    child,
    logs,
    stderr: () => stderr,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return (await exited)[0];
    },
  };
}

function parseLine(line: string): Record<string, unknown> {
  try {
    return JSON.parse(line) as Record<string, unknown>;
  } catch {
    return { raw: line };
  }
}

export interface ServeStatus {
  applied: { revision: string; release: number } | null;
  lastAttempt: {
    trigger: string;
    at: string;
    durationMs: number;
    result: string;
    revision?: string;
    error?: { code: string; message: string };
  } | null;
  lastWebhook: { provider: string; status: string } | null;
  queue: { running: boolean; pending: boolean; coalesced: number };
  pinned: unknown;
  leader: boolean;
}

export async function getJson<T>(url: string): Promise<{ code: number; body: T }> {
  const res = await fetch(url);
  return { code: res.status, body: (await res.json()) as T };
}

export async function status(s: ServeProcess): Promise<ServeStatus> {
  return (await getJson<ServeStatus>(`${s.url}/status`)).body;
}

/** Sum of a metric's samples whose labels include all of `labels`. */
export async function metric(s: ServeProcess, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)(?:\{(.*)\})? ([0-9.e+-]+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) sum += Number(m[3]);
  }
  return sum;
}

export function sign(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * A GitHub push delivery of `repo` (its clone URL) for `ref`, signed with `secret` (undefined:
 * unsigned). Each call gives another body (as each real push does: `before` differs), so only a
 * resent copy of the same object counts as a replay.
 */
export function githubPush(
  repo: string,
  ref: string,
  after: string,
  secret: string | undefined,
  extra: Record<string, string> = {},
) {
  const before = randomBytes(20).toString('hex');
  const body = JSON.stringify({ ref: `refs/heads/${ref}`, before, after, repository: { clone_url: repo } });
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    ...extra,
  };
  if (secret !== undefined) headers['x-hub-signature-256'] = `sha256=${sign(body, secret)}`;
  return { body, headers };
}

export async function post(
  s: ServeProcess,
  provider: string,
  req: { body: string | Buffer; headers: Record<string, string> },
) {
  const body = typeof req.body === 'string' ? req.body : new Uint8Array(req.body);
  const res = await fetch(`${s.url}/hooks/${provider}`, { method: 'POST', body, headers: req.headers });
  return { code: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** Polls `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
  s?: ServeProcess,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const tail = s
    ? `\nlast log lines:\n${s.logs
        .slice(-15)
        .map((l) => JSON.stringify(l))
        .join('\n')}\n${s.stderr()}`
    : '';
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}${tail}`,
  );
}
