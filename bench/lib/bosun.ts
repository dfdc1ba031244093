/**
 * bosun in-process, as the controller runs it: `reconcile()` with the real Docker back end and
 * the embedded FileKv store in a temp dir. Every Docker API request is counted at the modem
 * (the one place dockerode sends HTTP), and every store call at the KvStore boundary.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcile, type ReconcileResult } from '../../src/session/reconcile.ts';
import { DockerBackend } from '../../src/backends/docker/index.ts';
import type { DockerRuntime } from '../../src/backends/docker/runtime.ts';
import { Session } from '../../src/session/session.ts';
import type { GitSourceOptions, KvStore } from '../../src/ports.ts';
import { FileKv } from '../../src/store/file.ts';
import { timed } from './measure.ts';
import { useDigestKey } from '../../src/model/digest.ts';
import { RecordSealer } from '../../src/trust/sealer.ts';
import { loadOrCreateStateKey } from '../../src/trust/state-key.ts';

export interface Counter {
  /** `METHOD /path` of every request since the last reset */
  calls: string[];
  reset(): void;
}

type Dial = (opts: { method?: string; path?: string }, cb: unknown) => unknown;

/** Wraps `modem.dial`: counts requests without changing what is sent. */
export function countDockerCalls(runtime: DockerRuntime): Counter {
  const modem = runtime.docker.modem as unknown as { dial: Dial };
  const original = modem.dial.bind(modem);
  const counter: Counter = { calls: [], reset: () => void (counter.calls = []) };
  modem.dial = (opts, cb) => {
    counter.calls.push(`${opts.method ?? 'GET'} ${(opts.path ?? '').split('?')[0]!.replace(/[0-9a-f]{64}/g, ':id')}`);
    return original(opts, cb);
  };
  return counter;
}

/** Counts KvStore calls by method: a no-op should not write. */
export function countKvCalls(kv: KvStore): { kv: KvStore; calls: string[] } {
  const calls: string[] = [];
  const proxy = new Proxy(kv, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { kv: proxy, calls };
}

/** When, from the start of reconcile(), the plan was ready and each operation finished (ms). */
export interface Timeline {
  planAt?: number;
  ops: { at: number; ms: number; kind: string }[];
}

export interface Bosun {
  backend: DockerBackend;
  session: Session;
  /** the counted store (see countKvCalls) */
  kv: KvStore;
  source: GitSourceOptions;
  docker: Counter;
  kvCalls: string[];
  stateDir: string;
  reconcile(dryRun?: boolean, timeline?: Timeline): Promise<{ ms: number; result: ReconcileResult }>;
  close(): Promise<void>;
}

export async function bosunFor(repoDir: string): Promise<Bosun> {
  const stateDir = await mkdtemp(join(tmpdir(), 'bosun-bench-state-'));
  const backend = new DockerBackend('unix:///var/run/docker.sock');
  const docker = countDockerCalls(backend.engine);
  const fileKv = new FileKv(join(stateDir, 'state'));
  const { kv, calls: kvCalls } = countKvCalls(fileKv);
  const source = { repo: repoDir, cacheDir: join(stateDir, 'cache') };
  const timeline: { current?: Timeline; t0: number } = { t0: 0 };
  const progress = (_line: string, op: { kind: string }, ms: number) =>
    timeline.current?.ops.push({ at: performance.now() - timeline.t0, ms, kind: op.kind });
  // the key a CLI run on the same state would use (beside the embedded store)
  const { key } = loadOrCreateStateKey(join(stateDir, 'state.key'));
  useDigestKey(key.digest);
  const sealer = new RecordSealer(key);
  const session = new Session({ kv, sealer, backend, source, progress });
  return {
    backend,
    session,
    kv,
    source,
    docker,
    kvCalls,
    stateDir,
    reconcile(dryRun = false, timelineOf?: Timeline) {
      const t0 = performance.now();
      Object.assign(timeline, { current: timelineOf, t0 });
      const onPlan = () => timelineOf && (timelineOf.planAt = performance.now() - t0);
      return timed(() => reconcile(session, { dryRun, trigger: 'cli', onPlan })).then(({ ms, value }) => ({
        ms,
        result: value,
      }));
    },
    async close() {
      await fileKv.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** `GET /containers/json ×1, POST ... ×20` */
export function callSummary(calls: string[]): string {
  const counts = new Map<string, number>();
  for (const c of calls) counts.set(c, (counts.get(c) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k} ×${n}`).join(', ');
}
