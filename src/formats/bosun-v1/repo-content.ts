/**
 * What a Service takes from the repo itself: the files it copies in (`spec.copies`) and the
 * context its image is built from (`spec.build`). Read from the artifact at the revision, so
 * the desired state carries the copies' bytes and the build's identity, and both are part of
 * the spec hash: a changed file replaces exactly the services that read it.
 */
import type { ManifestIssue } from '../../errors.ts';
import type { BuildSpec, RepoCopySpec } from '../../model/desired.ts';
import { sortedRecord } from '../../model/sort.ts';
import type { Artifact } from '../../ports.ts';
import {
  buildIdentity,
  DEFAULT_DOCKERFILE,
  filesUnder,
  joinInside,
  normalizeContextPath,
  pathsUnder,
} from '../build-identity.ts';
import {
  copyBytes,
  MAX_COPY_BYTES_PER_SERVICE,
  MAX_COPY_BYTES_PER_STACK,
  mebibytes,
  readRepoCopy,
} from '../repo-copy.ts';
import { issueAt } from './locate.ts';
import { specOf } from './raw.ts';
import { validOfKind, type Manifest, type Valid } from './types.ts';

export interface RepoContent {
  build?: BuildSpec;
  copies?: RepoCopySpec[];
}

export type RepoContentByService = Map<Manifest, RepoContent>;

const OUTSIDE = 'must stay inside the stack folder (no ".." above it)';

export function readRepoContent(
  manifests: Manifest[],
  artifact: Artifact,
): { content: RepoContentByService; issues: ManifestIssue[] } {
  const content: RepoContentByService = new Map();
  const issues: ManifestIssue[] = [];
  let stackBytes = 0;
  for (const m of validOfKind(manifests, 'Service')) {
    const spec = specOf(m);
    const found: RepoContent = {};
    if (spec.build) {
      const build = readBuild(m, artifact);
      if ('message' in build) issues.push(issueAt(m.src, ['spec', 'build', build.at], build.message));
      else found.build = build;
    }
    if (spec.copies?.length) {
      const copies = readCopies(m, artifact, issues);
      const bytes = copies.reduce((sum, c) => sum + copyBytes(c), 0);
      stackBytes += bytes;
      if (bytes > MAX_COPY_BYTES_PER_SERVICE) issues.push(limitIssue(m, bytes, MAX_COPY_BYTES_PER_SERVICE, 'service'));
      else if (stackBytes > MAX_COPY_BYTES_PER_STACK)
        issues.push(limitIssue(m, stackBytes, MAX_COPY_BYTES_PER_STACK, 'stack (all services together)'));
      found.copies = copies;
    }
    if (found.build || found.copies) content.set(m, found);
  }
  return { content, issues };
}

function limitIssue(m: Valid<'Service'>, bytes: number, limit: number, what: string): ManifestIssue {
  const message = `copies ${mebibytes(bytes)}, over the ${mebibytes(limit)} a ${what} may copy in (releases keep every copied byte): build the files into an image instead`;
  return issueAt(m.src, ['spec', 'copies'], message);
}

/** The manifest's folder, relative to the artifact's. */
function folderOf(m: Manifest): string {
  return m.src.rel.split('/').slice(0, -1).join('/');
}

function readCopies(m: Valid<'Service'>, artifact: Artifact, issues: ManifestIssue[]): RepoCopySpec[] {
  const out: RepoCopySpec[] = [];
  const targets = new Map<string, number>();
  const mounts = (specOf(m).volumes ?? []).map((v) => v.target);
  (specOf(m).copies ?? []).forEach((c, i) => {
    const path = joinInside(folderOf(m), c.source);
    if (path === undefined) return issues.push(issueAt(m.src, ['spec', 'copies', i, 'source'], OUTSIDE));
    const first = targets.get(c.target);
    const under = mounts.find((t) => c.target === t || c.target.startsWith(`${t.replace(/\/$/, '')}/`));
    if (first !== undefined)
      return issues.push(
        issueAt(m.src, ['spec', 'copies', i, 'target'], `"${c.target}" is already the target of spec.copies[${first}]`),
      );
    if (under !== undefined) {
      const message = `"${c.target}" is inside the volume mounted at "${under}": a copy there would be written into the volume`;
      return issues.push(issueAt(m.src, ['spec', 'copies', i, 'target'], message));
    }
    targets.set(c.target, i);
    const copy = readRepoCopy(artifact, { path, target: c.target, readOnly: c.readOnly ?? false });
    if (typeof copy === 'string') issues.push(issueAt(m.src, ['spec', 'copies', i, 'source'], copy));
    else out.push(copy);
  });
  return out.sort((a, b) => (a.target < b.target ? -1 : a.target > b.target ? 1 : 0));
}

/** The build's context read from the artifact and its identity, or why it cannot be built. */
function readBuild(m: Valid<'Service'>, artifact: Artifact): BuildSpec | { at: string; message: string } {
  const raw = specOf(m).build!;
  const refused = (at: string, message: string) => ({ at, message });
  const context = joinInside(folderOf(m), raw.context);
  if (context === undefined) return refused('context', OUTSIDE);
  const dockerfile = normalizeContextPath(raw.dockerfile ?? DEFAULT_DOCKERFILE);
  if (joinInside('', raw.dockerfile ?? DEFAULT_DOCKERFILE) !== dockerfile)
    return refused('dockerfile', 'must stay inside the build context (no "..")');
  const files = filesUnder(artifact.files, context);
  const shown = raw.context;
  const tooLarge = (artifact.skipped ?? []).find((f) => context === '' || f.path.startsWith(`${context}/`));
  if (tooLarge)
    return refused(
      'context',
      `holds "${tooLarge.path}", too large for bosun to read (${tooLarge.bytes} bytes): leave it out of the repo or the context`,
    );
  if (files.size === 0) return refused('context', `no folder "${shown}" in the repo at this revision`);
  if (!files.has(dockerfile)) return refused('dockerfile', `no file "${dockerfile}" in the build context "${shown}"`);
  const args = sortedRecord(raw.args ?? {});
  const executables = pathsUnder(artifact.executables ?? [], context);
  const identity = buildIdentity({ files, executables, dockerfile, target: raw.target, args });
  const repoContext = [artifact.path, context].filter((p) => p !== '').join('/');
  return { context: repoContext, dockerfile, ...(raw.target ? { target: raw.target } : {}), args, identity };
}
