/**
 * A real smart-HTTP git server for integration tests: a Node http server in front of the
 * `git http-backend` CGI, plus helpers that create repos and push commits with the git CLI.
 *
 * Every git CLI call is async: the server runs in this process, so a synchronous child would
 * block the event loop that has to answer it (deadlock).
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);
const GIT = '/usr/bin/git';

export interface TestRepo {
  url: string;
  /** a local clone tests can edit */
  workdir: string;
  /** writes (or deletes, for null) files, commits, pushes to origin main; returns the new sha */
  commit(files: Record<string, string | null>, message?: string): Promise<string>;
  /** annotated tag at HEAD, pushed */
  tag(name: string): Promise<void>;
  /** the workdir's HEAD sha */
  head(): Promise<string>;
}

export interface GitServer {
  baseUrl: string;
  /** temp dir holding the bare repos */
  root: string;
  url(name: string): string;
  createRepo(name: string, files: Record<string, string>, message?: string): Promise<TestRepo>;
  close(): Promise<void>;
}

/** Keeps the developer's own git config (signing, hooks, templates) out of the tests. */
const gitEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
};

export async function git(cwd: string, ...args: string[]): Promise<string> {
  const author = ['-c', 'user.name=bosun-test', '-c', 'user.email=test@bosun.invalid'];
  const { stdout } = await execFileP(GIT, [...author, ...args], { cwd, env: gitEnv });
  return stdout.trim();
}

export async function startGitServer(): Promise<GitServer> {
  const base = await mkdtemp(join(tmpdir(), 'bosun-git-server-'));
  const root = join(base, 'repos');
  await mkdir(root);
  await mkdir(join(base, 'work'));
  const server = http.createServer((req, res) => bridgeToBackend(root, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = (name: string): string => `${baseUrl}/${name}.git`;
  return {
    baseUrl,
    root,
    url,
    createRepo: (name, files, message) =>
      createRepo(join(root, `${name}.git`), join(base, 'work', name), url(name), files, message),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(base, { recursive: true, force: true });
    },
  };
}

async function createRepo(
  bare: string,
  workdir: string,
  url: string,
  files: Record<string, string>,
  message = 'initial commit',
): Promise<TestRepo> {
  await mkdir(bare, { recursive: true });
  await git(bare, 'init', '--quiet', '--bare', '--initial-branch=main');
  await git(bare, 'config', 'http.receivepack', 'true');
  await mkdir(workdir, { recursive: true });
  await git(workdir, 'init', '--quiet', '--initial-branch=main');
  await git(workdir, 'remote', 'add', 'origin', url);
  const repo: TestRepo = {
    url,
    workdir,
    async commit(changes, msg = 'update') {
      await writeFiles(workdir, changes);
      await git(workdir, 'add', '-A');
      await git(workdir, 'commit', '--quiet', '--allow-empty', '-m', msg);
      await git(workdir, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
      return git(workdir, 'rev-parse', 'HEAD');
    },
    async tag(name) {
      await git(workdir, 'tag', '-a', name, '-m', `tag ${name}`);
      await git(workdir, 'push', '--quiet', 'origin', `refs/tags/${name}`);
    },
    head: () => git(workdir, 'rev-parse', 'HEAD'),
  };
  await repo.commit(files, message);
  return repo;
}

async function writeFiles(dir: string, files: Record<string, string | null>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    const full = join(dir, rel);
    if (content === null) {
      await rm(full, { force: true });
    } else {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, content);
    }
  }
}

function bridgeToBackend(root: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const env: NodeJS.ProcessEnv = {
    ...gitEnv,
    GIT_PROJECT_ROOT: root,
    GIT_HTTP_EXPORT_ALL: '1',
    REQUEST_METHOD: req.method ?? 'GET',
    PATH_INFO: decodeURIComponent(url.pathname),
    QUERY_STRING: url.search.slice(1),
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    REMOTE_USER: 'bosun-test',
  };
  // Absent for chunked uploads: http-backend then reads the body until EOF.
  if (req.headers['content-length'] !== undefined) env.CONTENT_LENGTH = req.headers['content-length'];
  if (req.headers['git-protocol'] !== undefined) env.HTTP_GIT_PROTOCOL = String(req.headers['git-protocol']);
  // The git client gzips large upload-pack requests; http-backend inflates them itself.
  if (req.headers['content-encoding'] !== undefined) env.HTTP_CONTENT_ENCODING = req.headers['content-encoding'];

  const child = spawn(GIT, ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  child.on('error', (err) => fail(res, `spawn failed: ${err.message}`));
  child.stdin.on('error', () => undefined); // the backend may exit before reading all of the body
  req.pipe(child.stdin);
  relayCgiResponse(child.stdout, res, () => stderr);
}

/** Parses the CGI header block (Status:, Content-Type, ...) then streams the body through. */
function relayCgiResponse(out: NodeJS.ReadableStream, res: http.ServerResponse, stderr: () => string): void {
  let head = Buffer.alloc(0);
  let headersDone = false;
  out.on('data', (chunk: Buffer) => {
    if (headersDone) return void res.write(chunk);
    head = Buffer.concat([head, chunk]);
    const end = findHeaderEnd(head);
    if (!end) return;
    headersDone = true;
    writeCgiHeaders(res, head.subarray(0, end.at).toString('latin1'));
    res.write(head.subarray(end.at + end.len));
  });
  out.on('end', () => {
    if (!headersDone) return fail(res, `http-backend gave no headers: ${stderr()}`);
    res.end();
  });
}

function findHeaderEnd(buf: Buffer): { at: number; len: number } | undefined {
  const crlf = buf.indexOf('\r\n\r\n');
  const lf = buf.indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { at: crlf, len: 4 };
  return lf >= 0 ? { at: lf, len: 2 } : undefined;
}

function writeCgiHeaders(res: http.ServerResponse, block: string): void {
  let status = 200;
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = parseInt(value, 10) || 200;
    else res.setHeader(name, value);
  }
  res.statusCode = status;
}

function fail(res: http.ServerResponse, message: string): void {
  if (res.headersSent) return void res.destroy();
  res.statusCode = 500;
  res.end(message);
}
