/**
 * A compose stack folder → LoadedCompose (./loaded.ts), or one ManifestError with every issue:
 * files read with positions, variables interpolated, `extends` resolved, files merged,
 * extensions dropped, unsupported keys named, the result checked against the schema of what
 * bosun deploys, and profiles applied. Pure: the artifact and the options decide everything.
 */
import { ManifestError } from '../../errors.ts';
import type { Artifact } from '../../ports.ts';
import { sortIssues } from '../bosun-v1/load.ts';
import { environment } from './environment.ts';
import { resolveExtends } from './extends.ts';
import { findComposeFiles, ignoredComposeFiles, normalizeRel, repoPath } from './files.ts';
import { composePath, Issues } from './issues.ts';
import type { ComposePath, LoadedCompose, ComposeModel } from './loaded.ts';
import { Merger } from './merge.ts';
import { applyProfiles } from './profiles.ts';
import { resolveProjectName } from './project.ts';
import { schemaCheck } from './schema-check.ts';
import { stripExtensions } from './strip.ts';
import { deepestPlace, isObj, type Obj, type Pos } from './tree.ts';
import { enforceUnicity } from './unicity.ts';
import { refuseUnsupported } from './unsupported.ts';
import { interpolateTree } from './variables.ts';
import { parseComposeFile } from './yaml-tree.ts';

export { findComposeFiles } from './files.ts';
export { composeProjectName } from './project.ts';

export const ROOT_FILE = '<root>';

export interface ComposeLoadOptions {
  /** the CLI's --project (compose's -p) */
  project?: string;
  /** active profiles (--profile); absent: COMPOSE_PROFILES from the variables, else none */
  profiles?: string[];
  /** compose files relative to the stack folder, in merge order (a Project's list); absent: compose's default names */
  files?: string[];
  /** the controller host's variables allowed into interpolation: an allow-list, never the whole environment */
  hostEnv?: Record<string, string>;
}

export function loadCompose(artifact: Artifact, opts: ComposeLoadOptions = {}): LoadedCompose {
  const issues = new Issues();
  const root: Pos = { file: ROOT_FILE, line: 1, col: 1 };
  const names = findComposeFiles(artifact, opts.files);
  if (names.length === 0) {
    const where = artifact.path === '' ? 'the repo root' : artifact.path;
    issues.add(
      root,
      [],
      `no compose file in ${where} (compose.yaml, compose.yml, docker-compose.yml or docker-compose.yaml)`,
    );
  }
  if (!opts.files) {
    for (const { used, ignored } of ignoredComposeFiles(artifact)) {
      const message = `both ${used} and ${ignored} are present: docker compose would read ${used} only; remove one`;
      issues.add({ file: repoPath(artifact, ignored), line: 1, col: 1 }, [], message);
    }
  }
  const vars = environment(artifact, opts.hostEnv ?? {}, issues);
  const files = new FileCache(artifact, vars.lookup, issues);
  const merger = new Merger(issues);
  let model: Obj = {};
  // a file that could not be read leaves the model partial: judging it would only echo that
  let partial = false;
  for (const rel of names) {
    const read = files.get(rel);
    if (!read) {
      issues.add(root, [], `compose file ${repoPath(artifact, rel)} not found`);
      partial = true;
      continue;
    }
    if (!read.value) {
      partial = true;
      continue;
    }
    resolveExtends(rel, { file: (r) => files.get(r), merger, issues });
    model = merger.merge(model, read.value, []) as Obj;
  }
  const first: Pos = { file: repoPath(artifact, names[0] ?? ''), line: 1, col: 1 };
  const locate = (path: ComposePath, onKey = false): Pos => {
    const place = deepestPlace(model, path);
    return (onKey ? place?.key : undefined) ?? place?.at ?? first;
  };
  delete model.version;
  enforceUnicity(model);
  stripExtensions(model);
  if (!partial) {
    refuseUnsupported(model, locate, issues);
    schemaCheck(model, locate, issues);
    applyProfiles(model, opts.profiles ?? vars.profiles, first, issues);
  }
  const project = resolveProjectName(artifact, model, opts.project, vars.lookup, locate, issues);
  if (!issues.empty || project === undefined) throw new ManifestError(sortIssues(issues.list));
  model.services ??= {};
  return {
    project,
    model: model as unknown as ComposeModel,
    locate: (path) => ({ ...locate(path), path: composePath(path) }),
    files: names.map((n) => repoPath(artifact, n)),
    dir: artifact.path.replace(/^\/+|\/+$/g, ''),
  };
}

/** Compose files read once each, interpolated, whether named by the stack or by an `extends`. */
class FileCache {
  private readonly cache = new Map<string, { file: string; value?: Obj } | undefined>();

  constructor(
    private readonly artifact: Artifact,
    private readonly lookup: (name: string) => string | undefined,
    private readonly issues: Issues,
  ) {}

  get(rel: string): { file: string; value?: Obj } | undefined {
    const key = normalizeRel(rel);
    if (this.cache.has(key)) return this.cache.get(key);
    const bytes = this.artifact.files.get(key);
    const skipped = this.artifact.skipped?.find((f) => f.path === key);
    const file = repoPath(this.artifact, key);
    let out: { file: string; value?: Obj } | undefined;
    if (skipped) {
      this.issues.add({ file, line: 1, col: 1 }, [], `file too large (${skipped.bytes} bytes, the limit is 1 MiB)`);
      out = { file };
    } else if (bytes) {
      out = parseComposeFile(file, bytes, this.issues);
      if (out.value) interpolateTree(out.value, this.lookup, file, this.issues);
      if (out.value && !isObj(out.value)) out = { file };
    }
    this.cache.set(key, out);
    return out;
  }
}
