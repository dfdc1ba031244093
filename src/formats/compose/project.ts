/**
 * The project's name by compose's precedence: --project (compose's -p), COMPOSE_PROJECT_NAME,
 * the files' `name:`, the stack folder's name. A name given must already be valid; only the
 * folder's name is normalised, as compose does.
 */
import type { Artifact } from '../../ports.ts';
import { findComposeFiles } from './files.ts';
import type { Lookup } from './interpolate.ts';
import { Issues } from './issues.ts';
import type { ComposePath } from './loaded.ts';
import { folderName, normalizeProjectName, PROJECT_NAME, PROJECT_NAME_RULE } from './project-name.ts';
import { isObj, type Obj, type Pos } from './tree.ts';
import { parseComposeFile } from './yaml-tree.ts';

export function resolveProjectName(
  artifact: Artifact,
  model: Obj,
  override: string | undefined,
  lookup: Lookup,
  locate: (path: ComposePath) => Pos,
  issues: Issues,
): string | undefined {
  const root: Pos = { file: '<root>', line: 1, col: 1 };
  const given = (name: string, where: Pos, path: ComposePath, what: string) => {
    if (PROJECT_NAME.test(name)) return name;
    issues.add(where, path, `${what} "${name}" ${PROJECT_NAME_RULE}`);
    return undefined;
  };
  if (override !== undefined) return given(override, root, [], '--project');
  const fromEnv = lookup('COMPOSE_PROJECT_NAME');
  if (fromEnv) return given(fromEnv, root, [], 'COMPOSE_PROJECT_NAME');
  if (typeof model.name === 'string' && model.name !== '')
    return given(model.name, locate(['name']), ['name'], 'project name');
  const folder = normalizeProjectName(folderName(artifact));
  if (folder !== '') return folder;
  issues.add(root, [], `the folder name "${folderName(artifact)}" gives no project name: set name: or --project`);
  return undefined;
}

/**
 * The name without judging the stack (history commands must work while HEAD is broken): the
 * last `name:` the files set, when it holds no variable, else the folder's name.
 */
export function composeProjectName(artifact: Artifact, files?: string[]): string | undefined {
  let name: string | undefined;
  for (const rel of findComposeFiles(artifact, files)) {
    const bytes = artifact.files.get(rel);
    const value = bytes ? parseComposeFile(rel, bytes, new Issues()).value : undefined;
    if (isObj(value) && typeof value.name === 'string' && !value.name.includes('$')) name = value.name;
  }
  if (name !== undefined && PROJECT_NAME.test(name)) return name;
  const folder = normalizeProjectName(folderName(artifact));
  return folder === '' ? undefined : folder;
}
