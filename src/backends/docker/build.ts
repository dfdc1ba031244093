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
export async function contextOf(op: BuildOperation, ctx: RunContext): Promise<Buffer> {
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
  return contextArchive(folder, build.dockerfile);
}

/** The engine's /build options for `op`: the classic builder (see README: no BuildKit session). */
export function buildOptions(op: BuildOperation, project: string | undefined): Docker.ImageBuildOptions {
  const { build } = op;
  return {
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
): Promise<void> {
  return new Promise((resolve, reject) => {
    let failure: string | undefined;
    const onEvent = (e: BuildEvent) => {
      const message = e.errorDetail?.message ?? e.error;
      if (message) failure ??= message.trim();
      for (const line of (e.stream ?? '').split('\n'))
        if (line.trim() !== '') log?.(`${op.service} | ${line.trimEnd()}`);
    };
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        const why = failure ?? err?.message;
        if (why === undefined) return resolve();
        reject(
          new BosunError(Codes.buildFailed, `build of ${op.image} failed: ${why}`, {
            data: { service: op.service },
            cause: err ?? undefined,
          }),
        );
      },
      onEvent,
    );
  });
}

export function asStream(tar: Buffer): NodeJS.ReadableStream {
  return Readable.from([tar]);
}
