import { exec as execCb, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { docker } from './docker.ts';

/** Restarting the engine stops every container on the machine: only for `npm run chaos`, run alone. */
const exec = promisify(execCb);

export async function until(what: string, probe: () => Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await probe().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function restartEngine(): Promise<void> {
  await exec('pkill -TERM -x dockerd');
  // The API socket closes long before dockerd has stopped its containers and removed its pid
  // file; a new dockerd started in between refuses to run.
  await until(
    'dockerd to exit',
    () =>
      exec('pgrep -x dockerd').then(
        () => false,
        () => true,
      ),
    60_000,
  );
  spawn('sh', ['-c', 'nohup dockerd > /tmp/dockerd.log 2>&1 &'], { stdio: 'ignore', detached: true }).unref();
  await until('dockerd to answer again', () => docker.ping().then(() => true), 60_000);
}
