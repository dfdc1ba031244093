/** What the engine tells anyone who can reach it about a container: inspect, exec, its files on the host. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { docker } from './docker.ts';

/** The whole `docker inspect` document as text, to search for a value anywhere in it. */
export async function containerText(id: string): Promise<string> {
  return JSON.stringify(await docker.getContainer(id).inspect());
}

/** Runs `cmd` in the container and returns its stdout (the engine's multiplexed stream, split). */
export async function execIn(id: string, cmd: string[]): Promise<string> {
  const exec = await docker.getContainer(id).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks);
  let out = '';
  // frames: 1 byte stream (1 stdout, 2 stderr), 3 zero bytes, a 4-byte big-endian length
  for (let at = 0; at + 8 <= raw.length; ) {
    const size = raw.readUInt32BE(at + 4);
    if (raw[at] === 1) out += raw.subarray(at + 8, at + 8 + size).toString('utf8');
    at += 8 + size;
  }
  return out;
}

/**
 * Where a file put into a container lives on the host: the engine's writable layer for it
 * (overlay2's upper dir). Its mode, and that of the engine's data root above it.
 */
export async function fileStat(id: string, file: string): Promise<{ mode: number; dockerRootMode: number }> {
  const info = await docker.getContainer(id).inspect();
  const upper = (info.GraphDriver?.Data as Record<string, string> | undefined)?.UpperDir;
  if (!upper) throw new Error(`container ${id} has no overlay2 upper dir (driver ${info.GraphDriver?.Name})`);
  const { DockerRootDir } = (await docker.info()) as { DockerRootDir: string };
  return {
    mode: (await fs.stat(path.join(upper, file))).mode,
    dockerRootMode: (await fs.stat(DockerRootDir)).mode,
  };
}
