/**
 * A real 3-member etcd cluster on loopback ports, for tests of what happens when a member dies.
 * Each member runs the `etcd` binary in its own temp data dir; nothing is shared with the etcd
 * on 2379, so tests may stop and start members freely.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface EtcdCluster {
  /** client host:port of each member */
  endpoints: string[];
  /** etcd://a,b,c for openStore */
  url: string;
  /** stops member i (SIGTERM), waits for it to exit and for the others to serve again (a new raft leader) */
  stop(i: number): Promise<void>;
  /** index of the member that is the raft leader now */
  leader(): Promise<number>;
  /** starts member i again on its data dir and waits until it serves */
  start(i: number): Promise<void>;
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 20_000;
const INSTALL_HINT = 'install it with: apt-get install -y etcd-server   (or run: bash test/setup-services.sh)';

interface Member {
  name: string;
  client: number;
  peer: number;
  dataDir: string;
  process?: ChildProcess;
  log: string[];
}

export async function startEtcdCluster(): Promise<EtcdCluster> {
  const base = await mkdtemp(join(tmpdir(), 'bosun-etcd-cluster-'));
  const ports = await freePorts(6);
  const members: Member[] = [0, 1, 2].map((i) => ({
    name: `m${i}`,
    client: ports[2 * i]!,
    peer: ports[2 * i + 1]!,
    dataDir: join(base, `m${i}`),
    log: [],
  }));
  const initialCluster = members.map((m) => `${m.name}=http://127.0.0.1:${m.peer}`).join(',');
  const token = `bosun-test-${randomBytes(4).toString('hex')}`;
  const launch = (m: Member) => launchMember(m, initialCluster, token);
  const endpoints = members.map((m) => `127.0.0.1:${m.client}`);
  const close = async () => {
    await Promise.all(members.map(stopMember));
    await rm(base, { recursive: true, force: true });
  };
  try {
    await Promise.all(members.map(launch));
    // a member answers /health only once the cluster has a leader
    await Promise.all(members.map(waitHealthy));
  } catch (err) {
    await close();
    throw err;
  }
  return {
    endpoints,
    url: `etcd://${endpoints.join(',')}`,
    stop: async (i) => {
      await stopMember(member(members, i));
      const running = members.filter((m) => m.process);
      // two of three still make a quorum: wait for their election instead of failing the next call
      if (running.length >= 2) await Promise.all(running.map(waitHealthy));
    },
    leader: () => raftLeader(members),
    start: async (i) => {
      const m = member(members, i);
      if (m.process) return;
      await launch(m);
      await waitHealthy(m);
    },
    close,
  };
}

function member(members: Member[], i: number): Member {
  const m = members[i];
  if (!m) throw new Error(`the cluster has members 0..${members.length - 1}, not ${i}`);
  return m;
}

/** Resolves once the process is spawned; rejects (with the install hint) when there is no etcd binary. */
function launchMember(m: Member, initialCluster: string, token: string): Promise<void> {
  const peerUrl = `http://127.0.0.1:${m.peer}`;
  const clientUrl = `http://127.0.0.1:${m.client}`;
  const args = [
    `--name=${m.name}`,
    `--data-dir=${m.dataDir}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--initial-cluster=${initialCluster}`,
    `--initial-cluster-token=${token}`,
    '--initial-cluster-state=new',
  ];
  // etcd reads ETCD_* variables as flags: keep the developer's own out of the test cluster
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ETCD_')));
  const child = spawn('etcd', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  m.process = child;
  child.stderr?.on('data', (chunk: Buffer) => {
    m.log.push(chunk.toString());
    if (m.log.length > 50) m.log.shift();
  });
  child.on('exit', () => {
    if (m.process === child) m.process = undefined;
  });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve());
    child.once('error', (err: NodeJS.ErrnoException) => {
      m.process = undefined;
      const why =
        err.code === 'ENOENT' ? `no etcd binary on PATH; ${INSTALL_HINT}` : `cannot start etcd: ${err.message}`;
      reject(new Error(why));
    });
  });
}

async function waitHealthy(m: Member): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!m.process) throw new Error(`etcd member ${m.name} exited while starting:\n${m.log.join('').slice(-2000)}`);
    try {
      const res = await fetch(`http://127.0.0.1:${m.client}/health`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok && ((await res.json()) as { health?: string }).health === 'true') return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(
    `etcd member ${m.name} not healthy after ${START_TIMEOUT_MS / 1000} s:\n${m.log.join('').slice(-2000)}`,
  );
}

/** Asks a running member for its status: the leader's member id, matched against each member's own. */
async function raftLeader(members: Member[]): Promise<number> {
  const status = async (m: Member) => {
    const res = await fetch(`http://127.0.0.1:${m.client}/v3/maintenance/status`, { method: 'POST', body: '{}' });
    return (await res.json()) as { header: { member_id: string }; leader: string };
  };
  const running = members.filter((m) => m.process);
  const ids = await Promise.all(running.map(async (m) => (await status(m)).header.member_id));
  const { leader } = await status(running[0]!);
  const index = ids.indexOf(leader);
  if (index < 0) throw new Error(`no running member is the raft leader (${leader})`);
  return members.indexOf(running[index]!);
}

async function stopMember(m: Member): Promise<void> {
  const child = m.process;
  if (!child) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

/** Ports the kernel hands out now; held together so the six are distinct. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => {
      const server = createServer();
      return new Promise<ReturnType<typeof createServer>>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve(server));
      });
    }),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}
