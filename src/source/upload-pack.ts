/**
 * The smart-HTTP upload-pack exchange (protocol v1), done here rather than by isomorphic-git's
 * fetch: we want exactly one object (the deployed ref), and the pack it answers with is indexed
 * with bounded memory (pack-index.ts) and capped in size while it downloads.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { open, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import git from 'isomorphic-git';
import http from 'isomorphic-git/http/node';
import { BosunError, Codes } from '../errors.ts';
import { indexPack } from './pack-index.ts';

/** A fetch downloading more than this is cut off: the pack is held in memory to be indexed. */
export const MAX_FETCH_BYTES = 64 * 1024 * 1024;

export interface Remote {
  /** without userinfo */
  url: string;
  headers: Record<string, string>;
}

export interface ServerRef {
  ref: string;
  oid: string;
  /** a symbolic ref's target (HEAD → refs/heads/main) */
  target?: string;
}

/** Credentials travel in a header, never in a URL that a library might echo. */
export function remoteOf(url: string, token: string | undefined): Remote {
  const u = new URL(url);
  const headers: Record<string, string> = {};
  let user = decodeURIComponent(u.username);
  let pass = decodeURIComponent(u.password);
  if (token) [user, pass] = ['x-access-token', token];
  if (user || pass) headers.Authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  u.username = '';
  u.password = '';
  return { url: u.toString().replace(/\/$/, ''), headers };
}

export async function advertisedRefs(remote: Remote): Promise<ServerRef[]> {
  const info = await git.getRemoteInfo2({ http, url: remote.url, headers: { ...remote.headers }, protocolVersion: 1 });
  return (info.refs ?? []).map((r) => ({ ref: r.ref, oid: r.oid, target: r.target }));
}

function pktLine(text: string): Buffer {
  const body = Buffer.from(text);
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}

function requestBody(want: string, haves: string[]): Buffer[] {
  const lines = [pktLine(`want ${want} side-band-64k ofs-delta no-progress agent=bosun\n`), Buffer.from('0000')];
  for (const have of haves) lines.push(pktLine(`have ${have}\n`));
  lines.push(pktLine('done\n'));
  return lines;
}

/** Splits a response body into pkt-line payloads (null for a flush), as the bytes arrive. */
async function* pktLines(body: AsyncIterable<Uint8Array>): AsyncGenerator<Buffer | null> {
  let buf = Buffer.alloc(0);
  for await (const chunk of body) {
    buf = buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([buf, chunk]);
    while (buf.length >= 4) {
      const len = Number.parseInt(buf.toString('latin1', 0, 4), 16);
      if (Number.isNaN(len)) throw new Error('the server sent a malformed pkt-line');
      if (len === 0) {
        buf = buf.subarray(4);
        yield null;
        continue;
      }
      if (buf.length < len) break;
      yield buf.subarray(4, len);
      buf = buf.subarray(len);
    }
  }
}

function tooLarge(remote: Remote): BosunError {
  return new BosunError(
    Codes.gitTooLarge,
    `could not fetch ${remote.url}: the fetch is larger than ${MAX_FETCH_BYTES / 1024 / 1024} MiB, the most bosun downloads at once`,
    { data: { repo: remote.url, limit: MAX_FETCH_BYTES } },
  );
}

/** Writes the pack side band to `file`; stops at the size cap; reports the server's error band. */
async function receivePack(remote: Remote, body: AsyncIterable<Uint8Array>, file: string): Promise<void> {
  const out = await open(file, 'w');
  let bytes = 0;
  try {
    for await (const line of pktLines(body)) {
      if (line === null || line.length === 0) continue;
      const band = line[0];
      if (band === 1) {
        bytes += line.length - 1;
        if (bytes > MAX_FETCH_BYTES) throw tooLarge(remote);
        await out.write(line.subarray(1));
      } else if (band === 3) {
        throw new Error(`the server refused: ${line.subarray(1).toString().trim()}`);
      } else if (line.toString('latin1', 0, 4) === 'ERR ') {
        throw new Error(`the server refused: ${line.subarray(4).toString().trim()}`);
      }
      // band 2 is progress text; ACK/NAK lines precede the pack
    }
  } finally {
    await out.close();
  }
}

/**
 * Fetches `want` (and what it needs that `haves` lack) into `gitdir` as one indexed pack. The
 * pack is named and moved in place only once it is whole and indexed, so a cut download or a
 * refused object leaves the cache as it was.
 */
export async function fetchObject(remote: Remote, gitdir: string, want: string, haves: string[]): Promise<void> {
  const res = await http.request({
    url: `${remote.url}/git-upload-pack`,
    method: 'POST',
    headers: {
      ...remote.headers,
      'Content-Type': 'application/x-git-upload-pack-request',
      Accept: 'application/x-git-upload-pack-result',
    },
    body: (async function* () {
      yield* requestBody(want, haves);
    })(),
  });
  if (res.statusCode !== 200) {
    throw Object.assign(new Error(`HTTP ${res.statusCode}`), {
      code: 'HttpError',
      data: { statusCode: res.statusCode, statusMessage: res.statusMessage },
    });
  }
  const dir = join(gitdir, 'objects', 'pack');
  const tmp = join(dir, `tmp-${randomBytes(6).toString('hex')}.pack`);
  try {
    await receivePack(remote, res.body as AsyncIterable<Uint8Array>, tmp);
    const pack = await readFile(tmp);
    if (pack.length === 0) throw new Error('the server sent no pack');
    const { idx, name } = await indexPack(pack);
    // the pack first: readers look for .idx files, and an index must never name a missing pack
    await rename(tmp, join(dir, `pack-${name}.pack`));
    await writeFile(`${tmp}-idx`, idx);
    await rename(`${tmp}-idx`, join(dir, `pack-${name}.idx`));
  } finally {
    await rm(tmp, { force: true });
    await rm(`${tmp}-idx`, { force: true });
  }
}

/** Every ref the cache holds, as `have` lines: what the server need not send again. */
export async function localHaves(gitdir: string): Promise<string[]> {
  const names = await git.listRefs({ fs, gitdir, filepath: 'refs' }).catch(() => [] as string[]);
  const oids = await Promise.all(
    names.map((n) => git.resolveRef({ fs, gitdir, ref: `refs/${n}` }).catch(() => undefined)),
  );
  return [...new Set(oids.filter((o): o is string => o !== undefined))].slice(0, 256);
}
