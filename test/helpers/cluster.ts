/**
 * The 3-host cluster of test/cluster/harness.sh for tests: three dockerds in their own network
 * namespaces joined into one swarm, and a 3-member etcd across them. One harness per machine
 * (fixed namespaces and addresses), so cluster tests run one at a time.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Docker from 'dockerode';

const run = promisify(execFile);
const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'cluster', 'harness.sh');

export interface Cluster {
  /** one client per host, in host order (h1 is the first manager) */
  engines: Docker[];
  manager: Docker;
  /** unix:///… of each host's engine, in host order */
  dockerHosts: string[];
  /** etcd://ip:2379,… of the 3 members */
  etcdUrl: string;
  /** each host's address, reachable from the root namespace */
  hostIps: string[];
}

async function harness(...args: string[]): Promise<string> {
  try {
    const { stdout } = await run('bash', [SCRIPT, ...args], { timeout: 180_000, maxBuffer: 1 << 20 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`test/cluster/harness.sh ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`);
  }
}

function parseEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) env[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return env;
}

/** Brings the cluster up (idempotent) with `images` of the main engine loaded on every host. */
export async function clusterUp(opts: { managers?: 1 | 3; images?: string[] } = {}): Promise<Cluster> {
  const args = ['up', '--managers', String(opts.managers ?? 1)];
  const out = await harnessWithImages(args, opts.images ?? []);
  const env = parseEnv(out);
  const dockerHosts = env.BSW_DOCKER_HOSTS.split(',');
  const engines = dockerHosts.map((h) => new Docker({ socketPath: h.replace('unix://', '') }));
  return {
    engines,
    manager: engines[0],
    dockerHosts,
    etcdUrl: env.BSW_ETCD,
    hostIps: env.BSW_HOST_IPS.split(','),
  };
}

async function harnessWithImages(args: string[], images: string[]): Promise<string> {
  const prev = process.env.BSW_IMAGES;
  process.env.BSW_IMAGES = images.join(' ');
  try {
    return await harness(...args);
  } finally {
    if (prev === undefined) delete process.env.BSW_IMAGES;
    else process.env.BSW_IMAGES = prev;
  }
}

export const clusterDown = (): Promise<string> => harness('down');
/** A power cut: every process of host n (1–3) is SIGKILLed at once and its link goes down. */
export const killHost = (n: number): Promise<string> => harness('kill-host', String(n));
/** Host n comes back on its data: its dockerd rejoins the swarm, its etcd member the cluster. */
export const startHost = (n: number): Promise<string> => harness('start-host', String(n));
/** Only host n's etcd member dies (SIGKILL); its engine keeps running. */
export const killEtcd = (n: number): Promise<string> => harness('kill-etcd', String(n));
export const startEtcd = (n: number): Promise<string> => harness('start-etcd', String(n));
