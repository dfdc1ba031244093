/**
 * The project's name by compose's rules: `-p` (bosun's --project), else COMPOSE_PROJECT_NAME,
 * else the files' `name:`, else the stack folder's name normalised. Given names must already be
 * valid; only the folder's name is normalised, as compose does.
 */
import { basename, resolve } from 'node:path';
import type { Artifact } from '../../ports.ts';

export const PROJECT_NAME = /^[a-z0-9][a-z0-9_-]*$/;
export const PROJECT_NAME_RULE = 'must be lowercase letters, digits, "_" or "-", starting with a letter or digit';

/** compose-go's NormalizeProjectName. */
export function normalizeProjectName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

/** The folder's name: the last part of the stack path, or of the repo for a stack at its root. */
export function folderName(artifact: Artifact): string {
  const path = artifact.path.replace(/^\/+|\/+$/g, '');
  if (path !== '') return basename(path);
  const repo = artifact.repo.replace(/[/\\]+$/, '').replace(/\.git$/, '');
  const last = basename(repo.replace(/^[a-z+]+:\/\/[^/]*/i, ''));
  // a local `--repo .` names the folder it stands for, as `docker compose` in that folder would
  return last === '' || last === '.' || last === '..' ? basename(resolve(repo)) : last;
}
