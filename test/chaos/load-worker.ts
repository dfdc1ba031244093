/**
 * Runs corpus cases on a worker thread, one at a time on request: a case that loops forever
 * can only be stopped by terminating the thread it blocks, which the runner does.
 */
import { parentPort } from 'node:worker_threads';
import { formatIssue, ManifestError, type ManifestIssue } from '../../src/errors.ts';
import { loadDesiredState } from '../../src/formats/index.ts';
import type { Artifact } from '../../src/ports.ts';
import { corpus, type Files } from './corpus/index.ts';
import type { Outcome } from './outcome.ts';

const cases = corpus();
const ROOT_FILE = '<root>';

function artifactOf(files: Files): Artifact {
  const map = new Map(Object.entries(files).map(([k, v]) => [k, typeof v === 'string' ? Buffer.from(v) : v] as const));
  return { repo: 'chaos', ref: 'HEAD', revision: '0'.repeat(40), path: '', files: map };
}

/** Everything a user needs to find the problem: where, and what. */
function wellFormed(i: ManifestIssue, files: Set<string>): boolean {
  return (
    typeof i.file === 'string' &&
    (files.has(i.file) || i.file === ROOT_FILE) &&
    Number.isInteger(i.line) &&
    i.line >= 1 &&
    Number.isInteger(i.col) &&
    i.col >= 1 &&
    typeof i.message === 'string' &&
    i.message.trim() !== ''
  );
}

const prototypeKeys = () =>
  [Object.prototype, Array.prototype, Function.prototype].map((p) => Object.getOwnPropertyNames(p).join(',')).join('|');
const before = prototypeKeys();

function pollution(): string[] {
  const probe = {} as Record<string, unknown>;
  const found = ['polluted', 'image', 'name', 'metadata', 'replicas', 'cmd', 'parallelism', 'prune'].filter(
    (k) => probe[k] !== undefined,
  );
  if (prototypeKeys() !== before) found.push('prototype property names changed');
  return found;
}

function run(index: number): Outcome {
  const c = cases[index]!;
  const files = c.files();
  const artifact = artifactOf(files);
  const started = performance.now();
  const base = { id: c.id, issueCount: 0, badIssues: [], sample: [] };
  try {
    loadDesiredState(artifact);
    return { ...base, ms: performance.now() - started, verdict: 'accepted', polluted: pollution() };
  } catch (err) {
    const ms = performance.now() - started;
    if (!(err instanceof ManifestError)) {
      const e = err as Error;
      return {
        ...base,
        ms,
        verdict: 'crashed',
        error: `${e?.name}: ${String(e?.message).slice(0, 300)}`,
        stack: e?.stack?.split('\n').slice(0, 6).join('\n'),
        polluted: pollution(),
      };
    }
    const names = new Set(Object.keys(files));
    return {
      id: c.id,
      ms,
      verdict: 'manifest-error',
      issueCount: err.issues.length,
      badIssues: err.issues.filter((i) => !wellFormed(i, names)).slice(0, 3),
      sample: err.issues.slice(0, 3).map((i) => formatIssue(i).slice(0, 200)),
      polluted: pollution(),
    };
  }
}

parentPort!.on('message', (index: number) => parentPort!.postMessage({ index, outcome: run(index) }));
parentPort!.postMessage({ ready: cases.length });
