/**
 * A CPU profile of a few calls, in-process (node:inspector), summarized as self time per source
 * file of bosun or per npm package: enough to say which code a slow phase spends its time in.
 */
import { Session } from 'node:inspector/promises';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function bucket(url: string, fn: string): string {
  const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg) return pkg;
  // the compiled build's files are named as their sources, so both runs read alike
  const src = /\/(?:src|dist)\/(.+)\.[jt]s$/.exec(url)?.[1];
  if (src) return `src/${src}.ts`;
  if (url === '') return fn.startsWith('(') ? fn : fn ? `(native ${fn})` : '(native)';
  if (url.startsWith('node:internal/modules')) return "node's module loader";
  return url.startsWith('node:') ? 'node internals' : (url.split('/').pop() ?? url);
}

/**
 * "idle N% of the wall time; busy: name 41%, ..." — idle is time the thread waited (for the
 * file system, the engine); the busy shares are of the time it ran.
 */
export function summarize(profile: Profile, top: number): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id)!;
    const key = bucket(node.callFrame.url, node.callFrame.functionName);
    self.set(key, (self.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  // the native `dispatch` of the inspector session is the profiler stopping itself, not the code under test
  self.delete('(native dispatch)');
  const all = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = self.get('(idle)') ?? 0;
  self.delete('(idle)');
  const busy = all - idle;
  const shares = [...self]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([k, us]) => `${k} ${Math.round((100 * us) / busy)}%`)
    .join(', ');
  return `idle ${Math.round((100 * idle) / all)}% of the time; busy: ${shares}`;
}

export async function cpuProfile(fn: () => Promise<void>, top = 8): Promise<string> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    await fn();
    const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
    return summarize(profile, top);
  } finally {
    session.disconnect();
  }
}
