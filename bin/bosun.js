#!/usr/bin/env node
// Runs the compiled build in dist/ (made by `npm run build`; `npm ci` runs it through `prepare`)
// when there is one: faster to start and ~30 MB lighter than compiling on the fly. Otherwise, or
// with BOSUN_FROM_SOURCES=1, the TypeScript sources run through tsx. No source file is looked at
// here: comparing dist/ with every source on each start cost more than the rest of `--version`.
// The test suite makes that comparison once per run (test/helpers/fresh-build.ts) and runs the
// sources when dist/ is older, so a test never runs a stale build.
import { existsSync } from 'node:fs';
import v8 from 'node:v8';

async function loadCli() {
  if (process.env.BOSUN_FROM_SOURCES !== '1' && existsSync(new URL('../dist/.stamp', import.meta.url))) {
    return import('../dist/cli/main.js');
  }
  const { register } = await import('tsx/esm/api');
  register();
  return import('../src/cli/main.ts');
}

/**
 * `bosun serve` runs for months and allocates in short bursts, one pass at a time: V8's defaults
 * trade memory for throughput it does not need. Its young generation, which grows to 32 MB under
 * such bursts and stays there, is kept at its initial 2 MB (more, smaller scavenges), and V8
 * favours size over speed (~10 MB less at 100 containers, bench/serve-memory.ts). Both take
 * effect when set while running (measured), unlike --max-semi-space-size; a semi-space size
 * chosen through NODE_OPTIONS is left alone.
 */
function smallHeap() {
  const chosen = [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('semi-space'));
  if (!chosen) v8.setFlagsFromString('--semi-space-growth-factor=1');
  v8.setFlagsFromString('--optimize-for-size');
}

if (process.argv[2] === 'serve') smallHeap();
const { main } = await loadCli();
process.exitCode = await main(process.argv);
