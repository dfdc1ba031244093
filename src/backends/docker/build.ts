/**
 * Building a service's image from the repo at the revision applied, through the engine's API:
 * the context's files (after `.dockerignore`, from git, never from a working copy) as a tar,
 * the build's options, and the identity as a label, so the planner knows the tag holds it.
 */
import { Readable } from 'node:stream';
import { pack } from 'tar-stream';
import type Docker from 'dockerode';
import type { RepoFolder, RunContext } from '../backend.ts';
import { BosunError, Codes } from '../../errors.ts';
import { buildIdentity, contextPaths } from '../../formats/build-identity.ts';
import { Label } from '../../model/labels.ts';
import type { ContainerOperation } from './model.ts';
import { type BuildkitUse, buildkitUses } from '../../formats/dockerfile-buildkit.ts';
import { traceReader } from './buildkit-trace.ts';

export type BuildOperation = Extract<ContainerOperation, { kind: 'build-image' }>;

/** Every entry gets the same time, so the same files always make the same tar. */
const EPOCH = new Date(0);

/** The context's files the engine is sent, with git's executable bit as the mode. */
export async function contextArchive(folder: RepoFolder, dockerfile: string): Promise<Buffer> {
  const tar = pack();
  for (const path of contextPaths(folder.files, dockerfile)) {
    const mode = folder.executables.has(path) ? 0o755 : 0o644;
    tar.entry({ name: path, mode, mtime: EPOCH }, Buffer.from(folder.files.get(path)!));
  }
  tar.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of tar) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The context of `op` at the revision applied, checked to give the identity planned: a
 * revision whose files differ (a rewritten history, a wrong fetch) must not build under it.
 */
export async function contextOf(op: BuildOperation, ctx: RunContext): Promise<BuildContext> {
  const { build } = op;
  if (!ctx.repo)
    throw new BosunError(
      Codes.buildContext,
      `cannot build ${op.image}: the repo's files at ${ctx.revision.slice(0, 12)} are not at hand`,
      { data: { service: op.service } },
    );
  const folder = await ctx.repo.folder(ctx.revision, build.context);
  const identity = buildIdentity({ ...folder, dockerfile: build.dockerfile, target: build.target, args: build.args });
  if (identity !== build.identity)
    throw new BosunError(
      Codes.buildContext,
      `cannot build ${op.image}: ./${build.context} at ${ctx.revision.slice(0, 12)} gives identity ${identity.slice(0, 12)}, not ${build.identity.slice(0, 12)} as planned`,
      { data: { service: op.service } },
    );
  const dockerfile = folder.files.get(build.dockerfile);
  const uses = dockerfile ? buildkitUses(Buffer.from(dockerfile).toString('utf8')).filter((u) => !u.ignored) : [];
  return { tar: await contextArchive(folder, build.dockerfile), buildkit: uses };
}

/** The tar the engine is sent, and the Dockerfile's BuildKit-only syntax (none: the classic builder). */
export interface BuildContext {
  tar: Buffer;
  buildkit: BuildkitUse[];
}

/**
 * The engine's /build options for `op`. BuildKit (`version=2`) only for a Dockerfile that needs
 * it: the engine runs it without a client session from the uploaded tar (no secrets, ssh or
 * local cache exports then), while the classic builder keeps every other build as it was.
 */
export function buildOptions(
  op: BuildOperation,
  project: string | undefined,
  buildkit = false,
): Docker.ImageBuildOptions {
  const { build } = op;
  return {
    ...(buildkit ? { version: '2' } : {}),
    t: op.image,
    dockerfile: build.dockerfile,
    ...(build.target ? { target: build.target } : {}),
    buildargs: build.args,
    labels: { [Label.buildIdentity]: build.identity, ...(project ? { [Label.project]: project } : {}) },
    // intermediate containers go, even when a step fails
    rm: true,
    forcerm: true,
  } as Docker.ImageBuildOptions;
}

interface BuildEvent {
  stream?: string;
  error?: string;
  errorDetail?: { message?: string };
  /** BuildKit's progress: `moby.buildkit.trace` with a base64 protobuf `aux` */
  id?: string;
  aux?: unknown;
}

/**
 * Follows the build's output: each line to `log`, and a failure reported inside the stream
 * (followProgress does not reject on those) as E_BUILD_FAILED with the engine's own words.
 */
export function followBuild(
  docker: Docker,
  stream: NodeJS.ReadableStream,
  op: BuildOperation,
  log?: (line: string) => void,
  buildkit: BuildkitUse[] = [],
): Promise<void> {
  const trace = traceReader();
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const onEvent = (e: BuildEvent) => {
      const message = e.errorDetail?.message ?? e.error;
      if (message) failure ??= message.trim();
      const lines = e.id === 'moby.buildkit.trace' && typeof e.aux === 'string' ? trace.lines(e.aux) : [];
      for (const line of [...lines, ...(e.stream ?? '').split('\n')])
        if (line.trim() !== '') log?.(`${op.service} | ${line.trimEnd()}`);
    };
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        const why = failure ?? err?.message;
        if (why === undefined) return resolve();
        reject(
          new BosunError(Codes.buildFailed, `build of ${op.image} failed: ${why}${buildkitNote(op, buildkit)}`, {
            data: { service: op.service },
            cause: err ?? undefined,
          }),
        );
      },
      onEvent,
    );
  });
}

/** Where the Dockerfile needed BuildKit, the failure says so: the engine's own words may not. */
export function buildkitNote(op: BuildOperation, uses: BuildkitUse[]): string {
  if (uses.length === 0) return '';
  const first = uses[0]!;
  return ` (built with the engine's BuildKit: ${op.build.dockerfile}:${first.line}:${first.col} uses ${first.what}, which its Dockerfile frontend may not support)`;
}

export function asStream(tar: Buffer): NodeJS.ReadableStream {
  return Readable.from([tar]);
}

/**
 * Starts a build. For BuildKit (version 2) dockerode would first open a client session (gRPC,
 * which bosun does not load); the engine builds an uploaded tar context without one, so the
 * request is made as dockerode makes it, minus the session.
 */
export function startBuild(
  docker: Docker,
  tar: Buffer,
  opts: Docker.ImageBuildOptions,
): Promise<NodeJS.ReadableStream> {
  if (opts.version !== '2') return docker.buildImage(asStream(tar), opts);
  const request = {
    path: '/build?',
    method: 'POST',
    file: asStream(tar),
    options: opts,
    isStream: true,
    statusCodes: { 200: true, 500: 'server error' },
  };
  return new Promise((resolve, reject) =>
    docker.modem.dial(request, (err: unknown, data: unknown) =>
      err ? reject(err) : resolve(data as NodeJS.ReadableStream),
    ),
  );
}
