/**
 * docker compose files as stacks: a folder holding `compose.yaml` (or compose's other names)
 * is read by compose's rules (./load.ts) and translated to bosun's model (./map/). The only
 * module of this folder that code outside src/formats/ may import.
 */
import type { DesiredState } from '../../model/desired.ts';
import type { Artifact } from '../../ports.ts';
import type { DesiredStateFormat, LoadOptions } from '../format.ts';
import { hasComposeFile } from './files.ts';
import { composeProjectName, loadCompose } from './load.ts';
import { mapCompose } from './map/index.ts';

export { COMPOSE_LABELS } from './map/service.ts';

function load(artifact: Artifact, opts: LoadOptions): DesiredState {
  const loaded = loadCompose(artifact, {
    ...(opts.project === undefined ? {} : { project: opts.project }),
    ...(opts.profiles === undefined ? {} : { profiles: opts.profiles }),
    ...(opts.hostEnv === undefined ? {} : { hostEnv: opts.hostEnv }),
  });
  return mapCompose(loaded, artifact, { hostEnv: opts.hostEnv ?? {} });
}

export const composeFormat: DesiredStateFormat = {
  name: 'compose',
  recognises: hasComposeFile,
  load,
  projectName: (artifact) => composeProjectName(artifact),
};
