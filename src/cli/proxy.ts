import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BosunError, Codes } from '../errors.ts';
import { Haproxy, locateHaproxy } from '../proxy/haproxy.ts';
import { LocalProxy } from '../proxy/proxy.ts';
import { parseRoutes } from '../proxy/routes.ts';
import { EtcdClient } from '../store/etcd/kv.ts';
import { type CommonOptions, openState, projectOverride, stateUrl } from './context.ts';

interface ProxyFlags extends CommonOptions {
  listen: string[];
  mode?: string;
  haproxy?: string;
  runDir?: string;
}

/** `bosun proxy`: runs until SIGTERM/SIGINT, then lets haproxy finish its connections. */
export async function proxyCommand(flags: ProxyFlags): Promise<number> {
  const routes = parseRoutes(flags.listen, projectOverride(flags));
  const mode = flags.mode ?? 'tcp';
  if (mode !== 'tcp' && mode !== 'http') throw new BosunError(Codes.usage, `--mode ${mode}: expected tcp or http`);
  // everything that can be refused is, before etcd or haproxy are touched
  const binary = await locateHaproxy(flags.haproxy ?? (process.env.BOSUN_HAPROXY || undefined));
  const kv = await openState(flags);
  try {
    if (!(kv instanceof EtcdClient)) {
      throw new BosunError(
        Codes.usage,
        `bosun proxy watches endpoints in etcd: --state ${stateUrl(flags)} is not etcd`,
      );
    }
    const runDir = flags.runDir ?? (await mkdtemp(path.join(tmpdir(), 'bosun-proxy-')));
    const log = (line: string) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);
    const proxy = new LocalProxy({
      etcd: kv,
      routes,
      haproxy: new Haproxy(binary, runDir, log),
      render: { runDir, mode },
      log,
    });
    await proxy.start();
    log(`proxy running: haproxy pid ${proxy.pid}, configuration ${path.join(runDir, 'haproxy.cfg')}`);
    await untilSignal(() => proxy.stop());
    return 0;
  } finally {
    await kv.close();
  }
}

function untilSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    const onSignal = () => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
      stop().then(resolve, reject);
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}
