/**
 * Where a reconcile's time goes, phase by phase: the same steps reconcile() takes (fetch,
 * validate, observe, plan), each timed on its own with the same adapters and the same
 * in-process caches (an unchanged folder tree is neither read nor validated again). The total
 * of a real reconcile() minus these phases is what the controller adds around them (ping, pin,
 * the check for an apply left unfinished).
 */
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import type { Bosun } from './bosun.ts';
import { docker } from './engine.ts';
import { median } from './measure.ts';

const run = promisify(execFile);
const BIN = resolve(import.meta.dirname, '../../bin/bosun.js');
export type Phases = Record<'fetch' | 'validate' | 'observe' | 'list containers' | 'plan', number>;

async function phasesOnce(b: Bosun): Promise<Phases> {
  const t = () => performance.now();
  let at = t();
  const lap = () => {
    const now = t();
    const ms = now - at;
    at = now;
    return ms;
  };
  const artifact = await b.session.fetch();
  const fetch = lap();
  const desired = await b.session.desired(artifact);
  const validate = lap();
  const observed = await b.session.observe(desired);
  const observeMs = lap();
  await b.backend.engine.listContainers(desired.project.name);
  const list = lap();
  b.session.plan(desired, observed, { repo: artifact.repo, ref: artifact.ref, revision: artifact.revision });
  return { fetch, validate, observe: observeMs, 'list containers': list, plan: lap() };
}

export async function phaseMedians(b: Bosun, runs: number): Promise<Phases> {
  const all: Phases[] = [];
  for (let i = 0; i < runs; i++) all.push(await phasesOnce(b));
  const keys = Object.keys(all[0]!) as (keyof Phases)[];
  return Object.fromEntries(keys.map((k) => [k, median(all.map((p) => p[k]))])) as Phases;
}

/** Bytes of the engine's answer to bosun's list call: every label (bosun.spec included) of every container. */
export async function listResponseBytes(label: string): Promise<number> {
  const list = await docker.listContainers({ all: true, filters: { label: [label] } });
  return Buffer.byteLength(JSON.stringify(list));
}

/** Wall time of the real binary, as a user runs it (node + tsx startup included). */
export async function cliWallMs(args: string[]): Promise<number> {
  const started = performance.now();
  await run(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, maxBuffer: 64 * 1024 * 1024 });
  return performance.now() - started;
}
