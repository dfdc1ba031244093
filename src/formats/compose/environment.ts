/**
 * The variables interpolation sees: the host allow-list the caller passes, over the stack
 * folder's `.env` at the revision (the host wins, as the shell does over `.env` in compose).
 * Never process.env: a controller's own environment holds its credentials.
 */
import type { Artifact } from '../../ports.ts';
import { decodeUtf8 } from '../bosun-v1/text.ts';
import { parseDotenv } from './dotenv.ts';
import { repoPath } from './files.ts';
import type { Lookup } from './interpolate.ts';
import type { Issues } from './issues.ts';

export interface Variables {
  lookup: Lookup;
  /** COMPOSE_PROFILES, split */
  profiles: string[];
}

export function environment(artifact: Artifact, hostEnv: Record<string, string>, issues: Issues): Variables {
  const host: Lookup = (name) => (Object.hasOwn(hostEnv, name) ? hostEnv[name] : undefined);
  const bytes = artifact.files.get('.env');
  let dotenv = new Map<string, string>();
  if (bytes) {
    const file = repoPath(artifact, '.env');
    const text = decodeUtf8(bytes);
    if (typeof text === 'number') issues.add({ file, line: text, col: 1 }, [], 'file is not valid UTF-8');
    else dotenv = parseDotenv(text, file, host, issues);
  }
  const lookup: Lookup = (name) => host(name) ?? dotenv.get(name);
  const profiles = (lookup('COMPOSE_PROFILES') ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  return { lookup, profiles };
}
