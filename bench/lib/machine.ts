/** What the numbers were measured on, for RESULTS.md. */
import os from 'node:os';
import { composeVersion } from './compose.ts';
import { docker } from './engine.ts';
import type { Machine } from './report.ts';

export function loadAverage(): string {
  return os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

export async function machine(loadAtStart: string): Promise<Machine> {
  const v = await docker.version();
  const running = await docker.listContainers();
  return {
    date: new Date()
      .toISOString()
      .replace('T', ' ')
      .replace(/\.\d+Z$/, ' UTC'),
    cpus: `${os.cpus().length} × ${os.cpus()[0]?.model ?? '?'}`,
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    kernel: `${os.type()} ${os.release()}`,
    docker: `${v.Version} (API ${v.ApiVersion}, ${v.Os}/${v.Arch})`,
    compose: await composeVersion(),
    node: process.version,
    load: `${loadAtStart} / ${loadAverage()}`,
    engineLoad: `${running.length} containers of other projects were running when the run ended (tests of other engineers share this engine and these 2 cores, which adds noise)`,
  };
}
