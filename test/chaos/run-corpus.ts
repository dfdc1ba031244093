/**
 * Drives the corpus through one worker thread with a watchdog: a case that is not answered
 * within `hardLimitMs` is recorded as timed out and its worker terminated, so a hanging
 * parser fails one test instead of the whole run.
 */
import { Worker } from 'node:worker_threads';
import type { Outcome } from './outcome.ts';

export interface RunOptions {
  hardLimitMs: number;
}

function startWorker(): Worker {
  // 1 MB of stack like the CLI's main thread (workers default to 4 MB), so stack limits match
  return new Worker(new URL('./load-worker-boot.mjs', import.meta.url), {
    resourceLimits: { stackSizeMb: 1, maxOldGenerationSizeMb: 2048 },
  });
}

function nextMessage<T>(worker: Worker, ms: number): Promise<T | 'timeout' | Error> {
  return new Promise((resolve) => {
    const done = (v: T | 'timeout' | Error) => {
      clearTimeout(timer);
      worker.off('message', onMessage).off('error', onError).off('exit', onExit);
      resolve(v);
    };
    const onMessage = (m: T) => done(m);
    const onError = (e: Error) => done(e);
    const onExit = (code: number) => done(new Error(`worker exited with code ${code}`));
    const timer = setTimeout(() => done('timeout'), ms);
    worker.on('message', onMessage).on('error', onError).on('exit', onExit);
  });
}

async function ready(): Promise<Worker> {
  const worker = startWorker();
  const first = await nextMessage<{ ready: number }>(worker, 30_000);
  if (first === 'timeout' || first instanceof Error) throw new Error(`corpus worker did not start: ${String(first)}`);
  return worker;
}

function failed(id: string, verdict: Outcome['verdict'], ms: number, error: string): Outcome {
  return { id, ms, verdict, error, issueCount: 0, badIssues: [], sample: [], polluted: [] };
}

export async function runCorpus(ids: string[], opts: RunOptions): Promise<Map<string, Outcome>> {
  const results = new Map<string, Outcome>();
  let worker = await ready();
  for (const [index, id] of ids.entries()) {
    const started = performance.now();
    worker.postMessage(index);
    const reply = await nextMessage<{ index: number; outcome: Outcome }>(worker, opts.hardLimitMs);
    if (reply !== 'timeout' && !(reply instanceof Error)) {
      results.set(id, reply.outcome);
      continue;
    }
    const ms = performance.now() - started;
    results.set(
      id,
      reply === 'timeout'
        ? failed(id, 'timed-out', ms, `no answer after ${opts.hardLimitMs} ms`)
        : failed(id, 'crashed', ms, `worker died: ${reply.message}`),
    );
    await worker.terminate();
    worker = await ready();
  }
  await worker.terminate();
  return results;
}
