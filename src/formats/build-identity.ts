/**
 * What an image built from the repo is, known without building it: shared by every format that
 * reads a `build:` (bosun/v1 `spec.build`, compose's `build:`) and by the back end that sends
 * the same files to the engine. Pure: the same files and options always give the same identity.
 *
 * The identity is a sha256 over the files the engine would be sent (the context after
 * `.dockerignore`, with the Dockerfile and `.dockerignore` always kept, as `docker build` does),
 * each with its executable bit, plus the Dockerfile's path, the target and the build args.
 */
import { createHash } from 'node:crypto';
import dockerignore from '@balena/dockerignore';
import { canonicalJson } from '../model/hash.ts';
import { compareStrings } from '../model/sort.ts';

export const DEFAULT_DOCKERFILE = 'Dockerfile';
export const DOCKERIGNORE = '.dockerignore';
/** the image label that says which identity an image was built for */
export const BUILD_IDENTITY_LABEL = 'bosun.build.identity';

export interface BuildInput {
  /** every file of the context folder, keyed relative to it (before `.dockerignore`) */
  files: ReadonlyMap<string, Uint8Array>;
  /** keys of `files` git marks executable */
  executables?: ReadonlySet<string>;
  /** relative to the context */
  dockerfile: string;
  target?: string;
  args: Readonly<Record<string, string>>;
}

/** The files of the folder `dir` (relative to the keys' root; '' for all), keyed relative to it. */
export function filesUnder<T>(files: ReadonlyMap<string, T>, dir: string): Map<string, T> {
  const prefix = dir === '' ? '' : `${dir}/`;
  const out = new Map<string, T>();
  for (const [path, value] of files) if (path.startsWith(prefix)) out.set(path.slice(prefix.length), value);
  return out;
}

/** The members of `paths` below `dir`, relative to it. */
export function pathsUnder(paths: Iterable<string>, dir: string): Set<string> {
  const prefix = dir === '' ? '' : `${dir}/`;
  return new Set([...paths].filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length)));
}

/**
 * The paths (sorted) of the context the engine is sent: what `.dockerignore` leaves, plus the
 * Dockerfile and `.dockerignore` themselves, which the engine needs even when they are ignored.
 */
export function contextPaths(files: ReadonlyMap<string, Uint8Array>, dockerfile: string): string[] {
  const rules = files.get(DOCKERIGNORE);
  // a CommonJS module whose typings declare an ES default: under nodenext that is `.default`
  const ignore = dockerignore.default();
  if (rules) ignore.add(Buffer.from(rules).toString('utf8'));
  const always = new Set([DOCKERIGNORE, normalizeContextPath(dockerfile)]);
  return [...files.keys()].filter((p) => always.has(p) || !ignore.ignores(p)).sort(compareStrings);
}

/** The identity of an image built from `input`: 64 hex digits. */
export function buildIdentity(input: BuildInput): string {
  const files = contextPaths(input.files, input.dockerfile).map((path) => [
    path,
    input.executables?.has(path) ? 'x' : '-',
    createHash('sha256').update(input.files.get(path)!).digest('hex'),
  ]);
  const options = { dockerfile: normalizeContextPath(input.dockerfile), target: input.target, args: input.args };
  return createHash('sha256')
    .update(canonicalJson({ version: 1, files, options }))
    .digest('hex');
}

/** How plans and tags show an identity: its first 12 hex digits, like a short image id. */
export function shortIdentity(identity: string): string {
  return identity.slice(0, 12);
}

/** The tag a built image gets when the format names none: `<project>-<service>:<short identity>`. */
export function builtImageTag(project: string, service: string, identity: string): string {
  return `${project}-${service}:${shortIdentity(identity)}`.toLowerCase();
}

/** `./a//b/` → `a/b`, as keys of an artifact's files are written. */
export function normalizeContextPath(p: string): string {
  return p
    .split('/')
    .filter((seg) => seg !== '' && seg !== '.')
    .join('/');
}

/**
 * `rel` joined to the folder `base` (both relative to the same root), or undefined when a `..`
 * climbs out of that root.
 */
export function joinInside(base: string, rel: string): string | undefined {
  const out = base === '' ? [] : base.split('/');
  for (const seg of rel.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg !== '..') out.push(seg);
    else if (out.pop() === undefined) return undefined;
  }
  return out.join('/');
}
